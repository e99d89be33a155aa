#include "ivr/speech_process.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace confpro::ivr {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "confpro-process-XXXXXX").string();
  EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
  return pattern;
}

TEST(RunProcess, ReportsExitStatusAndWhatTheProgramSaidOnStderr) {
  auto r = run_process({"ls", "/confpro-no-such-folder"}, 5s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->error_output.find("confpro-no-such-folder"), std::string::npos) << r->error_output;
}

TEST(RunProcess, SuccessIsExitCodeZero) {
  auto r = run_process({"true"}, 5s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_TRUE(r->error_output.empty());
}

TEST(RunProcess, AMissingProgramIsUnavailableNotACrash) {
  auto r = run_process({"/nonexistent/confpro-tool", "x"}, 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("/nonexistent/confpro-tool"), std::string::npos);
}

TEST(RunProcess, EmptyArgvIsInvalid) {
  EXPECT_EQ(run_process({}, 1s).error().code, ErrorCode::kInvalidArgument);
}

TEST(RunProcess, AProgramThatOverrunsItsTimeoutIsKilled) {
  const auto start = std::chrono::steady_clock::now();
  auto r = run_process({"sleep", "30"}, 200ms);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("200 ms"), std::string::npos) << r.error().message;
  EXPECT_LT(took, 5s);
}

TEST(RunProcess, ArgumentsReachTheProgramVerbatimWithoutAShell) {
  const fs::path dir = make_temp_dir();
  const fs::path odd = dir / "a; touch pwned $(touch pwned2)";
  auto r = run_process({"touch", odd.string()}, 5s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_TRUE(fs::exists(odd));
  EXPECT_FALSE(fs::exists(dir / "pwned"));
  EXPECT_FALSE(fs::exists("pwned2"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace confpro::ivr
