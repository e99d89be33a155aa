#include "app/config_paths.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

namespace confpro::app {
namespace {

namespace fs = std::filesystem;

TEST(ConfigPaths, EveryRelativePathIsResolvedOnceAgainstTheBase) {
  Config c;  // the defaults: data_dir "var", recordings "var/recordings", console "ui/dist", SQLite "var/…"
  c.log.file = "log/confpro.log";
  c.web.tls_cert_file = "/etc/ssl/cert.pem";
  resolve_paths(c, "/opt/confpro");
  EXPECT_EQ(c.server.base_dir, "/opt/confpro");
  EXPECT_EQ(c.server.data_dir, "/opt/confpro/var");
  EXPECT_EQ(names_directory(c), "/opt/confpro/var/names");
  EXPECT_EQ(c.media.recordings_dir, "/opt/confpro/var/recordings");
  EXPECT_EQ(c.web.recordings_dir, "/opt/confpro/var/recordings");
  EXPECT_EQ(c.web.static_dir, "/opt/confpro/ui/dist");
  EXPECT_EQ(c.ivr.overrides_dir, "/opt/confpro/etc/prompts");
  EXPECT_EQ(c.ivr.generated_dir, "/opt/confpro/var/prompts");
  EXPECT_EQ(c.storage_url, "sqlite:///opt/confpro/var/confpro.db");
  EXPECT_EQ(c.log.file, "/opt/confpro/log/confpro.log");
  EXPECT_EQ(c.web.tls_cert_file, "/etc/ssl/cert.pem") << "absolute paths stay";
  EXPECT_EQ(c.sip.tls_cert_file, "") << "empty means off and stays empty";
  EXPECT_EQ(c.ivr.sounds_dir, "/usr/share/asterisk/sounds");
  c.storage_url = "postgresql://u:p@localhost/db";
  resolve_paths(c, "/elsewhere");
  EXPECT_EQ(c.storage_url, "postgresql://u:p@localhost/db");
  EXPECT_EQ(c.server.data_dir, "/opt/confpro/var") << "resolving again changes nothing already absolute";
}

TEST(ConfigPaths, TheBaseIsTheInstallationFolderAboveTheExecutableNotTheWorkingDirectory) {
  const fs::path root = fs::temp_directory_path() / ("confpro-base-" + std::to_string(::getpid()));
  fs::create_directories(root / "etc");
  fs::create_directories(root / "build/src/app");
  std::ofstream(root / "etc/confpro.example.toml") << "";
  EXPECT_EQ(base_directory("", root / "build/src/app/confpro"), root);
  EXPECT_EQ(base_directory("/srv/confpro", root / "build/src/app/confpro"), "/srv/confpro") << "server.base_dir wins";
  EXPECT_EQ(base_directory("", "/nonexistent/bin/confpro"), fs::current_path()) << "no layout: the working directory";
  fs::remove_all(root);
}

TEST(ConfigPaths, AFolderThatCannotBeCreatedIsNamedWithItsSetting) {
  Config c;
  resolve_paths(c, "/proc/confpro-cannot-be-here");
  auto made = create_data_folders(c);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("/proc/confpro-cannot-be-here/var"), std::string::npos) << made.error().message;
  EXPECT_NE(made.error().message.find("server.data_dir"), std::string::npos) << made.error().message;
}

}  // namespace
}  // namespace confpro::app
