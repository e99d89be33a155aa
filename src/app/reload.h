// SIGHUP (issue 18 item 6): reads the configuration file again (with the same --set overrides) and applies
// what can change while running — log levels (every component), the log file reopened (logrotate), the access
// numbers (new ones are added to the store and routing reloads them, as the console's edits do; conference/
// access_numbers.h), the dial plan of dial-outs asked from then on. Prompts need no reload: the operator's
// recordings (ivr.overrides_dir) are read on every play. Everything else takes effect at the next start (said
// in the log when it changed). A configuration that does not load, or whose dial plan does not compile, is
// refused whole: logged, nothing changed, the running configuration kept. Thread safety: on the main thread
// (the signal waiter), which owns nothing the control loop owns: the access numbers reach the control loop
// through ControlApi::access_numbers_changed() (which reloads routing there and waits for it), the dial plan
// through SipEndpoint::set_dial_plan(), log levels through spdlog's own locks.
#pragma once

#include "app/config.h"
#include "common/result.h"
#include "conference/control_api.h"
#include "sip/sip_endpoint.h"
#include "store/store.h"

namespace confpro::app {

// The configuration's access numbers seed the store: a number not there yet is added, a stored one is kept as
// the console left it. Returns how many were added.
Result<int> seed_configured_access_numbers(store::Store& store, const Config& config);

struct ReloadTargets {
  store::Store& store;
  conference::ControlApi& conference;
  sip::SipEndpoint& sip;
};

// Reloads `running.file` (see above). Returns the configuration now in force, or the error that refused it.
Result<Config> reload_config(const Config& running, ReloadTargets targets);

}  // namespace confpro::app
