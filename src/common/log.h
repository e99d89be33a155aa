// Logging with spdlog: one line per event, one named logger per component ("sip", "media", "conference", …).
// Lines about a call carry `conf=<number> call=<id>` (see log_call_prefix). Levels per component come from
// the configuration ([log] level and [log.components]). Under systemd (JOURNAL_STREAM names our stderr) lines
// go to stderr without timestamps and with the `<N>` syslog-priority prefix journald reads (sd-daemon(3));
// elsewhere with timestamps, coloured on a terminal. Thread safety: init() once in main before threads start;
// get(), reload() and under_journal() are safe from any thread afterwards.
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

// SIGHUP: every logger takes the levels of `options` (loggers made later too), and the log file is reopened
// (a rotated file is let go; the configured path is written anew). kInvalidArgument for a bad level, nothing
// changed then. A different `file` than the one in use cannot be switched to while running: kPrecondition,
// after the levels were applied.
Status reload(const Options& options);
// Whether stderr is the journal's stream (JOURNAL_STREAM matches its device and inode).
bool under_journal();

// The logger of a component; created with the default level on first use.
std::shared_ptr<spdlog::logger> get(const std::string& component);

}  // namespace confpro::log
