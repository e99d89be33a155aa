// What app/ runs: a started component, stopped by app/ in reverse order of start (STYLE.md #2: only app/ knows
// the concrete classes; each component is given what it needs by reference — web/ its web::WebDeps).
// Thread safety: stop() is called on the main thread.
#pragma once

namespace confpro::app {

// A started component: stop() drains and stops it (idempotent), called on the main thread.
class Component {
 public:
  virtual ~Component() = default;
  virtual void stop() = 0;
};

}  // namespace confpro::app
