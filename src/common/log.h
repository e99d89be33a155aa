// Logging with spdlog: one line per event, one named logger per component ("sip", "media", "conference", …).
// Lines about a call carry `conf=<number> call=<id>` (see log_call_prefix). Levels per component come from the
// configuration ([log] level and [log.components]).
// Thread safety: init() once in main before threads start; get() is safe from any thread afterwards.
#pragma once

#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <string>

#include "common/result.h"

namespace confpro::log {

struct Options {
  std::string level = "info";                      // trace|debug|info|warn|error|critical|off
  std::map<std::string, std::string> components;   // component name → level
  std::string file;                                // empty: stderr only
};

Status init(const Options& options);
Status validate_level(const std::string& level);

// The logger of a component; created with the default level on first use.
std::shared_ptr<spdlog::logger> get(const std::string& component);

}  // namespace confpro::log
