// Logging for operations (issue 18 item 6): the journal's format under systemd, and what a SIGHUP reload
// changes.
#include "common/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace confpro::log {
namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class LogTest : public ::testing::Test {
 protected:
  std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() / ("confpro-log-" + std::to_string(std::random_device{}()));
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override {
    ::unsetenv("JOURNAL_STREAM");
    (void)init(Options{});  // back to stderr only, at info
    std::filesystem::remove_all(dir_);
  }
};

TEST_F(LogTest, UnderTheJournalLinesCarryTheirSyslogPriorityAndNoTimestamp) {
  const auto path = dir_ / "stderr.txt";
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(file, 0);
  const int saved = ::dup(2);
  ::dup2(file, 2);
  struct stat st {};
  ASSERT_EQ(::fstat(2, &st), 0);
  const std::string stream =
      std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" + std::to_string(st.st_ino);
  ::setenv("JOURNAL_STREAM", stream.c_str(), 1);
  const bool journal = under_journal();
  ASSERT_TRUE(init(Options{"debug", {}, ""}).ok());
  auto logger = get("journal-test");
  logger->debug("a digit");
  logger->info("ready");
  logger->warn("slow store");
  logger->error("write failed");
  logger->flush();
  ::dup2(saved, 2);
  ::close(saved);
  ::close(file);
  EXPECT_TRUE(journal);
  EXPECT_EQ(read_all(path),
            "<7>[journal-test] a digit\n<6>[journal-test] ready\n<4>[journal-test] slow store\n"
            "<3>[journal-test] write failed\n");
}

TEST_F(LogTest, AJournalStreamThatIsNotOurStderrIsIgnored) {
  ::setenv("JOURNAL_STREAM", "1:2", 1);
  EXPECT_FALSE(under_journal());
  ::setenv("JOURNAL_STREAM", "garbage", 1);
  EXPECT_FALSE(under_journal());
}

TEST_F(LogTest, ReloadSetsTheLevelsOfLoggersAlreadyMadeAndRefusesABadOne) {
  ASSERT_TRUE(init(Options{"info", {}, ""}).ok());
  auto sip = get("reload-sip");
  auto web = get("reload-web");
  EXPECT_EQ(sip->level(), spdlog::level::info);
  ASSERT_TRUE(reload(Options{"warn", {{"reload-sip", "debug"}}, ""}).ok());
  EXPECT_EQ(sip->level(), spdlog::level::debug);
  EXPECT_EQ(web->level(), spdlog::level::warn);
  EXPECT_EQ(get("reload-later")->level(), spdlog::level::warn);  // made after the reload
  auto bad = reload(Options{"loud", {}, ""});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sip->level(), spdlog::level::debug);  // nothing changed
  EXPECT_EQ(web->level(), spdlog::level::warn);
}

TEST_F(LogTest, ReloadReopensTheLogFileARotationMovedAway) {
  const auto file = dir_ / "confpro.log";
  ASSERT_TRUE(init(Options{"info", {}, file.string()}).ok());
  auto logger = get("rotate-test");
  logger->info("before rotation");
  logger->flush();
  std::filesystem::rename(file, dir_ / "confpro.log.1");
  ASSERT_TRUE(reload(Options{"info", {}, file.string()}).ok());
  logger->info("after rotation");
  logger->flush();
  EXPECT_NE(read_all(dir_ / "confpro.log.1").find("before rotation"), std::string::npos);
  const std::string now = read_all(file);
  EXPECT_NE(now.find("after rotation"), std::string::npos);
  EXPECT_EQ(now.find("before rotation"), std::string::npos);
  auto moved = reload(Options{"info", {}, (dir_ / "elsewhere.log").string()});
  ASSERT_FALSE(moved.ok());  // another path needs a restart
  EXPECT_EQ(moved.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace confpro::log
