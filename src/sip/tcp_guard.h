// Slow-loris guard for the SIP TCP/TLS listeners. sofia-sip closes a connection whose message stalls
// (TPTAG_TIMEOUT) and an idle one it has used (TPTAG_IDLE), but never one it accepted that has not sent a single
// byte (its transport is "fresh", not idle): such connections would each hold a file descriptor for ever. This
// finds them among the process's descriptors — TCP connections accepted on our SIP ports that have received
// nothing since they were opened — and shuts them down; sofia then sees the end of the stream and frees them.
// Thread safety: stateless; call it from the SIP thread (it only shuts sockets down, sofia closes them there).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace confpro::sip {

// Shuts down every TCP connection accepted on one of `ports` that has received no data for `silent` since it
// was opened. Returns how many it shut down.
int shut_silent_tcp_connections(const std::vector<std::uint16_t>& ports, std::chrono::milliseconds silent);

}  // namespace confpro::sip
