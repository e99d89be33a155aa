#include "web/static_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <vector>

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

// Issue 11: "//etc/passwd" was joined onto the root as an absolute path and answered with the file. Every
// path here is what the server hands over after its one percent-decoding of the URL.
TEST_F(StaticFilesTest, TraversalCorpusNeverLeavesTheRoot) {
  StaticFiles files(root);
  const std::string secret = (root.parent_path() / "secret.txt").string();
  const std::vector<std::string> corpus = {
      "/" + secret,  // "//tmp/…/secret.txt": an absolute path after the leading '/'
      "//etc/passwd",
      "///etc/passwd",
      "/../secret.txt",
      "/..",
      "/assets/..",
      "/assets/../../secret.txt",
      "/./index.html",
      "/assets/./app-1234.js",
      "/assets//app-1234.js",
      "/..\\secret.txt",  // backslashes
      "/assets\\..\\..\\secret.txt",
      "/%2e%2e/secret.txt",  // %252e%252e: encoded twice, decoded once
      "/%2e%2e%2fsecret.txt",
      "/..%5csecret.txt",
      "/\xc0\xaf../secret.txt",  // overlong '/' (%c0%af, %e0%80%af)
      "/..\xc0\xafsecret.txt",
      "/..\xe0\x80\xafsecret.txt",
      "/\xc0\xae\xc0\xae/secret.txt",        // overlong '.'
      std::string("/index.html\0.png", 16),  // NUL
      std::string("/\0", 2),
      "/assets/app-1234.js\r\nX: y",
      "/..;/..;/secret.txt",
      "/assets/...",
  };
  for (const auto& path : corpus) {
    auto r = files.serve(path);
    EXPECT_FALSE(r && r->body == "secret") << path;
    EXPECT_FALSE(clean_relative_path(path)) << path;
  }
}

TEST_F(StaticFilesTest, SymlinksOutOfTheRootAreNotFollowed) {
  std::filesystem::create_symlink(root.parent_path() / "secret.txt", root / "link.txt");
  std::filesystem::create_directory_symlink(root.parent_path(), root / "up");
  std::filesystem::create_symlink(root / "assets" / "app-1234.js", root / "inside.js");
  StaticFiles files(root);
  EXPECT_FALSE(files.serve("/link.txt"));
  EXPECT_FALSE(files.serve("/up/secret.txt"));
  std::filesystem::create_symlink(root.parent_path() / "secret.txt", root / "noext");
  EXPECT_FALSE(files.serve("/noext"));  // not the page either: something is there, and it may not be served
  auto inside = files.serve("/inside.js");  // a link that stays inside is fine
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->body, "console.log(1)");
  std::filesystem::remove(root.parent_path() / "secret.txt");
}

TEST_F(StaticFilesTest, CleanPathsAreKept) {
  EXPECT_EQ(clean_relative_path("/"), "");
  EXPECT_EQ(clean_relative_path("/assets/app-1234.js"), "assets/app-1234.js");
  EXPECT_EQ(clean_relative_path("/past/12/"), "past/12/");
  EXPECT_EQ(clean_relative_path("/.well-known/x"), ".well-known/x");
  EXPECT_FALSE(clean_relative_path(""));
  EXPECT_FALSE(clean_relative_path("assets/app.js"));
}

TEST_F(StaticFilesTest, FileInsideComparesWholeComponents) {
  const auto sibling = root.string() + "2";
  std::filesystem::create_directories(sibling);
  std::ofstream(sibling + "/x.wav") << "x";
  EXPECT_FALSE(file_inside(root, sibling + "/x.wav"));  // a string prefix of the root is not inside it
  EXPECT_FALSE(file_inside(root, root));
  EXPECT_FALSE(file_inside(root, root / "assets"));  // not a regular file
  EXPECT_FALSE(file_inside(root, root / "missing.wav"));
  EXPECT_FALSE(file_inside(root, root / "assets" / ".." / ".." / "secret.txt"));
  EXPECT_TRUE(file_inside(root, root / "assets" / ".." / "index.html"));
  EXPECT_FALSE(file_inside(root / "missing-root", root / "index.html"));
  std::filesystem::remove_all(sibling);
}

}  // namespace
}  // namespace confpro::web
