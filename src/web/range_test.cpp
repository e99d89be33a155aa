#include "web/range.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace confpro::web {
namespace {

TEST(ParseRange, ReadsTheThreeForms) {
  bool bad = false;
  auto a = parse_range("bytes=0-99", 1000, bad);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, 0u);
  EXPECT_EQ(a->last, 99u);
  auto b = parse_range("bytes=900-", 1000, bad);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->last, 999u);
  auto c = parse_range("bytes=-100", 1000, bad);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->first, 900u);
}

TEST(ParseRange, ClampsTheEndAndRefusesStartsPastTheEnd) {
  bool bad = false;
  auto a = parse_range("bytes=10-5000", 1000, bad);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->last, 999u);
  EXPECT_FALSE(parse_range("bytes=1000-", 1000, bad));
  EXPECT_TRUE(bad);
}

TEST(ParseRange, IgnoresMalformedAndMultiRanges) {
  bool bad = false;
  EXPECT_FALSE(parse_range("items=0-1", 1000, bad));
  EXPECT_FALSE(bad);
  EXPECT_FALSE(parse_range("bytes=0-1,5-6", 1000, bad));
  EXPECT_FALSE(parse_range("bytes=5-1", 1000, bad));
  EXPECT_FALSE(parse_range("bytes=a-b", 1000, bad));
  EXPECT_FALSE(parse_range("bytes=", 1000, bad));
  EXPECT_FALSE(parse_range("bytes=-", 1000, bad));
  EXPECT_FALSE(bad);
  EXPECT_FALSE(parse_range("bytes=-0", 1000, bad));
  EXPECT_TRUE(bad) << "an empty suffix is unsatisfiable";
}

TEST(FileWithRange, AnswersPartialContent) {
  auto path = std::filesystem::temp_directory_path() / ("confpro-range-" + std::to_string(std::random_device{}()) + ".wav");
  std::ofstream(path, std::ios::binary) << "0123456789";
  auto whole = file_with_range(path.string(), "");
  EXPECT_EQ(whole.status, 200);
  ASSERT_TRUE(whole.file);
  EXPECT_TRUE(whole.body.empty()) << "the file is sent from disk, not copied into the response";
  EXPECT_EQ(whole.file->path, path.string());
  EXPECT_EQ(whole.file->offset, 0u);
  EXPECT_EQ(whole.file->length, 10u);
  EXPECT_EQ(whole.content_type, "audio/wav");
  auto part = file_with_range(path.string(), "bytes=2-4");
  EXPECT_EQ(part.status, 206);
  ASSERT_TRUE(part.file);
  EXPECT_EQ(part.file->offset, 2u);
  EXPECT_EQ(part.file->length, 3u);
  bool has_range = false;
  for (auto& [k, v] : part.headers) has_range |= k == "Content-Range" && v == "bytes 2-4/10";
  EXPECT_TRUE(has_range);
  EXPECT_EQ(file_with_range(path.string(), "bytes=20-").status, 416);
  std::filesystem::remove(path);
  EXPECT_EQ(file_with_range(path.string(), "").status, 404);
}

}  // namespace
}  // namespace confpro::web
