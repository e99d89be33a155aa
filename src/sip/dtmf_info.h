// DTMF carried in SIP INFO bodies: application/dtmf-relay ("Signal=5\r\nDuration=160") and application/dtmf
// ("5"). RFC 4733 events are media/'s business.
// Thread safety: pure function.
#pragma once

#include <optional>
#include <string_view>

namespace confpro::sip {

// The digit (0-9, *, #, A-D) of an INFO body; nullopt for other content types or malformed bodies.
// content_type is "type/subtype" (case-insensitive, without parameters).
std::optional<char> parse_dtmf_info(std::string_view content_type, std::string_view body);

}  // namespace confpro::sip
