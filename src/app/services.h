// What app/ builds and hands to each component when `confpro serve` starts (STYLE.md #2: only app/ knows the
// concrete classes). Components take what they need from here by reference; app/ owns everything and stops
// components in reverse order of start.
// Thread safety: built once on the main thread before any component starts; read-only afterwards.
#pragma once

#include <memory>

namespace confpro {
class Clock;
class EventLoop;
}  // namespace confpro
namespace confpro::store { class Store; }
namespace confpro::directory { class Directory; }
namespace confpro::booking { class BookingService; }
namespace confpro::media { class MediaEngine; }
namespace confpro::conference { class ControlApi; }

namespace confpro::app {

struct Services {
  const Clock* clock = nullptr;                    // wall clock (scaled in tests by server.time_scale)
  EventLoop* control_loop = nullptr;               // the conference control thread
  store::Store* store = nullptr;
  directory::Directory* directory = nullptr;
  booking::BookingService* bookings = nullptr;
  media::MediaEngine* media = nullptr;             // null until the media engine exists
  conference::ControlApi* control = nullptr;       // null until the conference service exists
};

// A started component: stop() drains and stops it (idempotent), called on the main thread.
class Component {
 public:
  virtual ~Component() = default;
  virtual void stop() = 0;
};

}  // namespace confpro::app
