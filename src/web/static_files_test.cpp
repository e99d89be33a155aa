#include "web/static_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace confpro::web {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  std::filesystem::path root;
  void SetUp() override {
    root = std::filesystem::temp_directory_path() / ("confpro-static-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "<html>app</html>";
    std::ofstream(root / "assets" / "app-1234.js") << "console.log(1)";
    std::ofstream(root.parent_path() / "secret.txt") << "secret";
  }
  void TearDown() override { std::filesystem::remove_all(root); }
  static std::string header(const HttpResponse& r, const std::string& name) {
    for (auto& [k, v] : r.headers) if (k == name) return v;
    return {};
  }
};

TEST_F(StaticFilesTest, HashedAssetsAreImmutable) {
  StaticFiles files(root);
  auto r = files.serve("/assets/app-1234.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "console.log(1)");
  EXPECT_EQ(r->content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(header(*r, "Cache-Control").find("immutable"), std::string::npos);
}

TEST_F(StaticFilesTest, PagesFallBackToIndexWhichIsNotCached) {
  StaticFiles files(root);
  for (const char* path : {"/", "/future", "/past/12"}) {
    auto r = files.serve(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body, "<html>app</html>");
    EXPECT_EQ(header(*r, "Cache-Control"), "no-cache");
  }
}

TEST_F(StaticFilesTest, MissingFileWithExtensionIsNotFound) {
  StaticFiles files(root);
  EXPECT_FALSE(files.serve("/assets/missing.js"));
}

TEST_F(StaticFilesTest, ApiPathsAndTraversalNeverMatch) {
  StaticFiles files(root);
  EXPECT_FALSE(files.serve("/api/v1/unknown"));
  EXPECT_FALSE(files.serve("/../secret.txt"));
  EXPECT_FALSE(files.serve("/assets/../../secret.txt"));
}

}  // namespace
}  // namespace confpro::web
