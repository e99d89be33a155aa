#include "common/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>
#include "common/thread_annotations.h"

namespace confpro::log {

namespace {
Mutex g_mu;
Options g_options GUARDED_BY(g_mu);
std::vector<spdlog::sink_ptr> g_sinks GUARDED_BY(g_mu);

std::vector<spdlog::sink_ptr>& sinks_locked() REQUIRES(g_mu) {
  if (g_sinks.empty()) g_sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  return g_sinks;
}
}  // namespace

Status validate_level(const std::string& level) {
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (const char* l : kLevels)
    if (level == l) return {};
  return Error::invalid("level", "unknown log level '" + level + "' (trace|debug|info|warn|error|critical|off)");
}

Status init(const Options& options) {
  if (auto s = validate_level(options.level); !s) return s;
  for (const auto& [name, level] : options.components)
    if (auto s = validate_level(level); !s) return s;
  MutexLock lock(g_mu);
  g_options = options;
  g_sinks.clear();
  g_sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!options.file.empty()) {
    try {
      g_sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file));
    } catch (const spdlog::spdlog_ex& e) {
      return Error::invalid("log.file", e.what());
    }
  }
  spdlog::drop_all();
  return {};
}

std::shared_ptr<spdlog::logger> get(const std::string& component) {
  if (auto existing = spdlog::get(component)) return existing;
  MutexLock lock(g_mu);
  if (auto existing = spdlog::get(component)) return existing;
  auto& sinks = sinks_locked();
  auto logger = std::make_shared<spdlog::logger>(component, sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  auto it = g_options.components.find(component);
  logger->set_level(spdlog::level::from_str(it != g_options.components.end() ? it->second : g_options.level));
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace confpro::log
