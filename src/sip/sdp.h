// SDP as plain values: what we read from a peer's offer or answer (parsed with sofia-sip's sdp_parse) and the
// text we send (our own builder; nua's SOA is disabled, see notes/sofia-sip.md).
// Thread safety: pure functions on values; callable from any thread (sofia's parser uses its own su_home).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "media/media_engine.h"

namespace confpro::sip {

struct SdpFormat {
  int payload_type = -1;
  std::string encoding;   // as written ("PCMU", "opus", "telephone-event"); well-known static PTs filled in
  unsigned long clock_rate = 0;
  int channels = 1;       // from the rtpmap encoding parameters; 1 when absent
  std::string fmtp;       // "" when none
};

struct SdpCrypto {
  int tag = 0;
  std::string suite;      // e.g. "AES_CM_128_HMAC_SHA1_80"
  std::string key_b64;    // the inline key||salt, base64, without lifetime/MKI
};

enum class SdpProto { kRtpAvp, kRtpSavp, kOther };

// One m= line.
struct SdpStream {
  std::string media;              // "audio", "video", …
  std::uint16_t port = 0;         // 0: rejected / disabled stream
  SdpProto proto = SdpProto::kOther;
  std::string proto_name;         // as written ("RTP/AVP")
  std::vector<std::string> format_tokens;  // the m= line formats, as written (echoed when we reject it)
  std::string address;            // c= at media level, else session level; "" when none
  media::Direction direction = media::Direction::kSendRecv;  // as the peer states it (its own point of view)
  int ptime_ms = 0;               // 0: not stated
  std::vector<SdpFormat> formats; // in the peer's order of preference
  std::vector<SdpCrypto> cryptos; // a=crypto lines, in order
};

struct SdpDescription {
  std::string origin_username;
  std::uint64_t origin_id = 0;
  std::uint64_t origin_version = 0;
  std::vector<SdpStream> streams;
};

// Parses an SDP body. Errors (kInvalidArgument): empty, unparsable, no m= line, an audio stream without a
// connection address.
Result<SdpDescription> parse_sdp(std::string_view text);

}  // namespace confpro::sip
