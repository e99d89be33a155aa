// sd_notify(3) without libsystemd: under systemd with Type=notify ($NOTIFY_SOCKET set) `confpro serve` says
// READY=1 once it takes calls, RELOADING=1 … READY=1 around a SIGHUP reload and STOPPING=1 when it starts to
// drain or stop; elsewhere nothing is sent. The protocol is one datagram of "KEY=value" lines to the AF_UNIX
// socket named by $NOTIFY_SOCKET ('@' first: the abstract namespace).
// Thread safety: any thread (one socket per call).
#pragma once

#include <string>

namespace confpro::app {

// Sends `state` (e.g. "READY=1\nSTATUS=…"); false when not under systemd or the send failed (never fatal).
bool notify_systemd(const std::string& state);

}  // namespace confpro::app
