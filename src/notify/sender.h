// One way of sending an outbox row (e-mail over SMTP; SMS later). The delivery worker calls send() from its
// own thread, never from the control loop. Thread safety: send() is called from one worker thread at a time.
#pragma once

#include <string>

#include "store/store.h"

namespace confpro::notify {

struct SendResult {
  bool ok = false;
  bool permanent = false;  // the server refused this message for good (e.g. 550 unknown recipient): no retry
  std::string reply;       // the server's last reply, or what went wrong, for the row's last_error
  bool server_down = false;  // the server, not the message, failed (unreachable, TLS, AUTH, silent): the
                             // messages waiting for it wait on (the worker probes it after retry.first_delay)
};

class Sender {
 public:
  virtual ~Sender() = default;
  // What the rate limit counts per (the server it talks to).
  virtual std::string destination(const store::OutboxMessage& message) const = 0;
  // Blocks for at most the configured timeouts.
  virtual SendResult send(const store::OutboxMessage& message) = 0;
  // From any thread: the send in progress (and any later one) gives up soon, so that stopping does not wait
  // for a server that stopped answering.
  virtual void cancel() {}
};

}  // namespace confpro::notify
