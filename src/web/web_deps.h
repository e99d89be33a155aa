// What the web component is given when it starts (by app/ in `confpro serve`, by the tests' harnesses): the
// services its routes use, and nothing else — not the media engine, not the SIP endpoint (issue 13: web/ reaches
// live conferences only through conference::ControlApi).
// Thread safety: filled once before start_web(); read-only afterwards. Everything pointed to must outlive the
// web server.
#pragma once

namespace confpro {
class Clock;
}  // namespace confpro
namespace confpro::store { class Store; }
namespace confpro::directory { class Directory; }
namespace confpro::booking { class BookingService; class AccountAuthorizer; }
namespace confpro::conference { class ControlApi; }

namespace confpro::web {

class OperationsProbe;  // web/operations.h

struct WebDeps {
  const Clock* clock = nullptr;                 // wall clock (scaled in tests by server.time_scale)
  store::Store* store = nullptr;
  directory::Directory* directory = nullptr;
  booking::BookingService* bookings = nullptr;  // may be null: booking routes answer 503
  conference::ControlApi* control = nullptr;    // may be null: live routes answer 503
  OperationsProbe* operations = nullptr;        // may be null: /readyz and /metrics answer 503
};

// The running web server; stop() closes the listener and every connection (idempotent, main thread).
class RunningWeb {
 public:
  virtual ~RunningWeb() = default;
  virtual void stop() = 0;
};

}  // namespace confpro::web
