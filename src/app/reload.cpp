#include "app/reload.h"

#include "app/config_paths.h"
#include "common/log.h"
#include "conference/access_numbers.h"
#include "sip/numbers.h"

namespace confpro::app {

Result<int> seed_configured_access_numbers(store::Store& store, const Config& config) {
  std::vector<store::AccessNumber> configured;
  for (const auto& a : config.access_numbers) {
    store::AccessNumber n;
    n.number = a.number;
    n.label = a.label;
    n.kind = a.kind;
    n.language = a.language == "en" ? domain::Language::kEnglish : domain::Language::kFrench;
    configured.push_back(std::move(n));
  }
  auto added = conference::seed_access_numbers(store, configured);
  if (!added) return added.error();
  return static_cast<int>(*added);
}

namespace {

// The settings a reload does not apply, by section, when they differ: told in the log.
std::vector<std::string> needs_restart(const Config& running, const Config& loaded) {
  std::vector<std::string> changed;
  if (running.storage_url != loaded.storage_url) changed.push_back("storage.url");
  if (running.sip.listen_address != loaded.sip.listen_address || running.sip.port != loaded.sip.port ||
      running.sip.codecs != loaded.sip.codecs || running.sip.max_calls != loaded.sip.max_calls)
    changed.push_back("[sip] (but dial_plan)");
  if (running.web.address != loaded.web.address || running.web.port != loaded.web.port ||
      running.web.metrics_token != loaded.web.metrics_token)
    changed.push_back("[web]");
  if (running.server.node_id != loaded.server.node_id ||
      running.server.drain_timeout_s != loaded.server.drain_timeout_s)
    changed.push_back("[server]");
  if (running.media.workers != loaded.media.workers ||
      running.media.rtp_port_min != loaded.media.rtp_port_min ||
      running.media.rtp_port_max != loaded.media.rtp_port_max)
    changed.push_back("[media]");
  if (running.ivr.sounds_dir != loaded.ivr.sounds_dir ||
      running.ivr.overrides_dir != loaded.ivr.overrides_dir ||
      running.ivr.generated_dir != loaded.ivr.generated_dir)
    changed.push_back("[ivr] folders");
  return changed;
}

}  // namespace

Result<Config> reload_config(const Config& running, ReloadTargets targets) {
  auto logger = log::get("app");
  auto loaded = load_config(running.file, running.overrides);
  if (!loaded) return loaded.error();
  Config next = std::move(*loaded);
  next.overrides = running.overrides;
  resolve_paths(next, base_directory(next.server.base_dir));
  if (auto plan = sip::DialPlan::compile(next.sip.dial_plan); !plan.ok()) return plan.error();

  // Valid: applied from here on.
  if (auto s = log::reload(next.log); !s) logger->warn("SIGHUP: {}", s.error().message);
  if (auto s = targets.sip.set_dial_plan(next.sip.dial_plan); !s)
    logger->warn("SIGHUP: dial plan not changed: {}", s.error().message);
  auto added = seed_configured_access_numbers(targets.store, next);
  if (!added) {
    logger->error("SIGHUP: access numbers not added: {}", added.error().message);
  } else if (*added > 0) {
    logger->info("SIGHUP: {} access number(s) from the configuration added to the store", *added);
    if (auto s = targets.conference.access_numbers_changed(); !s)
      logger->error("SIGHUP: access numbers not routed yet: {}", s.error().message);
  }
  for (const auto& what : needs_restart(running, next))
    logger->warn("SIGHUP: {} changed; takes effect at the next start", what);
  logger->info(
      "SIGHUP: configuration reloaded from {} (log level {}, {} dial-plan pattern(s), {} access number(s))",
      next.file.empty() ? "<defaults>" : next.file, next.log.level, next.sip.dial_plan.size(),
      next.access_numbers.size());
  logger->flush();  // the reopened file shows the reload at once (info lines are buffered otherwise)
  return next;
}

}  // namespace confpro::app
