#include "app/config_paths.h"

#include <unistd.h>

#include <system_error>
#include <utility>
#include <vector>

namespace confpro::app {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSqlite = "sqlite://";

void absolute_against(const fs::path& base, std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return;
  path = (base / path).lexically_normal().string();
}

}  // namespace

fs::path base_directory(const std::string& configured, fs::path executable) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (!configured.empty()) return (cwd / configured).lexically_normal();
  if (executable.empty()) executable = fs::read_symlink("/proc/self/exe", ec);
  if (!executable.empty()) {
    for (fs::path dir = executable.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (fs::is_regular_file(dir / "etc" / "confpro.example.toml", ec)) return dir;
      if (dir == dir.root_path()) break;
    }
  }
  return cwd;
}

void resolve_paths(Config& config, const fs::path& base) {
  config.server.base_dir = base.string();
  for (std::string* path : {&config.server.data_dir, &config.log.file, &config.ivr.sounds_dir, &config.ivr.moh_dir,
                            &config.ivr.overrides_dir, &config.ivr.generated_dir, &config.media.recordings_dir,
                            &config.sip.tls_cert_file, &config.sip.tls_key_file, &config.web.tls_cert_file,
                            &config.web.tls_key_file, &config.web.static_dir, &config.web.port_file, &config.cdr.dir})
    absolute_against(base, *path);
  config.web.recordings_dir = config.media.recordings_dir;
  if (config.storage_url.starts_with(kSqlite)) {
    std::string file = config.storage_url.substr(std::string(kSqlite).size());
    absolute_against(base, file);
    config.storage_url = kSqlite + file;
  }
}

std::string names_directory(const Config& config) { return (fs::path(config.server.data_dir) / "names").string(); }

Status create_data_folders(const Config& config) {
  std::vector<std::pair<std::string, std::string>> folders{
      {"server.data_dir", config.server.data_dir},
      {"server.data_dir (names)", names_directory(config)},
      {"media.recordings_dir", config.media.recordings_dir},
      {"ivr.generated_dir", config.ivr.generated_dir},
      {"billing.cdr.dir", config.cdr.dir},
  };
  if (config.storage_url.starts_with(kSqlite)) {
    folders.emplace_back("storage.url",
                         fs::path(config.storage_url.substr(std::string(kSqlite).size())).parent_path().string());
  }
  for (const auto& [setting, folder] : folders) {
    if (folder.empty()) continue;
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec || !fs::is_directory(folder)) {
      return Error::unavailable("cannot create the folder " + folder + " (" + setting +
                                "): " + (ec ? ec.message() : "not a folder"));
    }
    if (::access(folder.c_str(), W_OK | X_OK) != 0) {
      return Error::unavailable("cannot write into the folder " + folder + " (" + setting +
                                "): " + std::generic_category().message(errno));
    }
  }
  return {};
}

}  // namespace confpro::app
