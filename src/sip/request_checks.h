// Strictness checks sofia-sip's parser skips (RFC 4475 TC_TRWS_I, TC_BADASPEC_I): run on the raw text of a
// request before it reaches the call logic, so such a request gets 400 instead of being served. Also the
// check of the URIs a dialog would send its requests to (Contact, Record-Route). Thread safety: pure
// functions.
#pragma once

#include <string_view>

namespace confpro::sip {

// The request line as received, with or without its CRLF ("OPTIONS sip:a@b SIP/2.0\r\n"). Returns the reason
// phrase to refuse it with (a string literal, so it outlives any response), or nullptr when it is well formed
// as far as this check goes: nothing may follow the version and the Request-URI holds no whitespace (runs of
// SP between the parts are tolerated, as RFC 4475 3.1.1.13 asks).
const char* request_line_problem(std::string_view raw_line);

// The raw text of a name-addr header (To, From, Contact, …: "To: \"Watson\" < sip:t@example.org >\r\n").
// Returns the reason phrase (a string literal) when whitespace follows '<' or precedes '>' outside a quoted
// string (RFC 3261 25.1: LAQUOT/RAQUOT allow whitespace only outside the brackets), nullptr otherwise.
const char* name_addr_problem(std::string_view raw_header);

// A URI as sofia parsed it (url_t: scheme, host, port, params without the leading ';').
struct UriParts {
  std::string_view scheme, host, port, params;
};

// Whether the stack can send in-dialog requests (BYE, UPDATE, re-INVITE) to this remote target (Contact) or
// route (Record-Route) URI: scheme sip or sips, a host that is an IPv4 address, an IPv6 reference or an RFC
// 3261 hostname, a port in 1..65535 when given, a transport we speak (udp, tcp, tls) and a maddr that is a
// host. Returns what is wrong (a string literal) or nullptr. sofia accepts any of these at parse time and
// fails only when it sends: an unusable target made every in-dialog request fail inside the stack (see
// sip_endpoint.cpp).
const char* dialog_uri_problem(const UriParts& uri);

}  // namespace confpro::sip
