#include "common/log.h"

#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "common/thread_annotations.h"

namespace confpro::log {

namespace {

// stderr for journald: "<priority>[component] message", no timestamp (the journal has its own).
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    int priority = 6;
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        priority = 7;
        break;
      case spdlog::level::info:
        priority = 6;
        break;
      case spdlog::level::warn:
        priority = 4;
        break;
      case spdlog::level::err:
        priority = 3;
        break;
      case spdlog::level::critical:
        priority = 2;
        break;
      default:
        break;
    }
    std::string line = "<" + std::to_string(priority) + ">[";
    line.append(msg.logger_name.data(), msg.logger_name.size());
    line += "] ";
    line.append(msg.payload.data(), msg.payload.size());
    line += '\n';
    for (std::size_t done = 0; done < line.size();) {
      const ssize_t n = ::write(2, line.data() + done, line.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
  }
  void flush_() override {}
};

// The log file, appended to; reopen() lets a rotated file go (logrotate's move then SIGHUP).
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(const std::string& path) { file_.open(path, false); }
  void reopen() {
    std::lock_guard<std::mutex> lock(mutex_);
    file_.reopen(false);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_.write(formatted);
  }
  void flush_() override { file_.flush(); }

 private:
  spdlog::details::file_helper file_;
};

Mutex g_mu;
Options g_options GUARDED_BY(g_mu);
std::vector<spdlog::sink_ptr> g_sinks GUARDED_BY(g_mu);
std::shared_ptr<ReopenableFileSink> g_file GUARDED_BY(g_mu);

spdlog::sink_ptr make_stderr_sink() {
  if (under_journal()) return std::make_shared<JournalSink>();
  return std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
}

std::vector<spdlog::sink_ptr>& sinks_locked() REQUIRES(g_mu) {
  if (g_sinks.empty()) g_sinks.push_back(make_stderr_sink());
  return g_sinks;
}

spdlog::level::level_enum level_of(const Options& options, const std::string& component) {
  auto it = options.components.find(component);
  return spdlog::level::from_str(it != options.components.end() ? it->second : options.level);
}
}  // namespace

bool under_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

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
  g_file.reset();
  g_sinks.push_back(make_stderr_sink());
  if (!options.file.empty()) {
    try {
      g_file = std::make_shared<ReopenableFileSink>(options.file);
      g_sinks.push_back(g_file);
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
  logger->set_level(level_of(g_options, component));
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

Status reload(const Options& options) {
  if (auto s = validate_level(options.level); !s) return s;
  for (const auto& [name, level] : options.components)
    if (auto s = validate_level(level); !s) return s;
  MutexLock lock(g_mu);
  const std::string file_in_use = g_options.file;
  g_options.level = options.level;
  g_options.components = options.components;
  const Options levels = g_options;
  spdlog::apply_all(
      [&levels](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level_of(levels, l->name())); });
  if (g_file) {
    try {
      g_file->reopen();
    } catch (const spdlog::spdlog_ex& e) {
      return Error::unavailable(std::string("log file not reopened: ") + e.what());
    }
  }
  if (options.file != file_in_use)
    return Error::precondition("log.file changed from '" + file_in_use + "' to '" + options.file +
                               "': takes effect at the next start");
  return {};
}

}  // namespace confpro::log
