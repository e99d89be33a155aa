#include "web/json_body.h"

#include <gtest/gtest.h>

namespace confpro::web {
namespace {

TEST(JsonBody, RefusesMalformedJson) {
  auto b = JsonBody::parse("{\"name\":");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().fields.at(0).field, "body");
}

TEST(JsonBody, RefusesANonObject) {
  EXPECT_FALSE(JsonBody::parse("[1,2]").ok());
  EXPECT_FALSE(JsonBody::parse("").ok());
}

TEST(JsonBody, RefusesARepeatedKeyNamingIt) {
  auto b = JsonBody::parse(R"({"name":"a","inner":{"x":1,"x":2},"name":"b"})");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().fields.at(0).field, "x");
  EXPECT_TRUE(JsonBody::parse(R"({"a":{"x":1},"b":{"x":2},"x":[{"x":1},{"x":2}]})").ok());
}

TEST(JsonBody, DeepNestingIsRefusedWithoutCrashing) {
  EXPECT_FALSE(JsonBody::parse(std::string(100000, '[') + std::string(100000, ']')).ok());
  auto b = JsonBody::parse("{\"name\":" + std::string(100000, '[') + std::string(100000, ']') + "}");
  ASSERT_TRUE(b.ok());
  b->string("name", true, 10);
  EXPECT_FALSE(b->finish().ok());
}

TEST(JsonBody, CollectsEveryBadFieldIncludingUnknownOnes) {
  auto b = JsonBody::parse(R"({"name":5,"count":-3,"flag":"yes","typo":1})");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->string("name", true).has_value());
  EXPECT_FALSE(b->integer("count", 0, 10).has_value());
  EXPECT_FALSE(b->boolean("flag").has_value());
  auto st = b->finish();
  ASSERT_FALSE(st.ok());
  std::vector<std::string> fields;
  for (auto& f : st.error().fields) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"name", "count", "flag", "typo"}));
}

TEST(JsonBody, EachErrorCarriesItsReasonAndParams) {
  auto b = JsonBody::parse(R"({"name":5,"count":-3,"title":"abcdefghijk","typo":1})");
  ASSERT_TRUE(b.ok());
  b->string("name", true);
  b->integer("count", 0, 10);
  b->string("title", false, 10);
  b->string("password", true);
  auto st = b->finish();
  ASSERT_FALSE(st.ok());
  const auto& f = st.error().fields;
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0].reason, "wrong_type");
  EXPECT_EQ(f[0].params, (ErrorParams{{"type", "string"}}));
  EXPECT_EQ(f[1].reason, "range");
  EXPECT_EQ(f[1].params, (ErrorParams{{"min", std::int64_t{0}}, {"max", std::int64_t{10}}}));
  EXPECT_EQ(f[2].reason, "too_long");
  EXPECT_EQ(f[3].reason, "required");
  EXPECT_EQ(f[4].reason, "unknown_field");
  EXPECT_EQ(JsonBody::parse("{").error().fields.at(0).reason, "malformed_json");
}

TEST(JsonBody, ReadsValidFields) {
  auto b = JsonBody::parse(R"({"name":"Board","count":7,"flag":true})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->string("name", true), "Board");
  EXPECT_EQ(b->integer("count", 0, 10), 7);
  EXPECT_EQ(b->boolean("flag"), true);
  EXPECT_TRUE(b->finish().ok());
}

TEST(JsonBody, RequiredFieldMissingIsNamed) {
  auto b = JsonBody::parse("{}");
  ASSERT_TRUE(b.ok());
  b->string("password", true);
  auto st = b->finish();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().fields.at(0).field, "password");
}

TEST(JsonBody, FloatIsNotAnInteger) {
  auto b = JsonBody::parse(R"({"n":1.5})");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->integer("n", 0, 10).has_value());
  EXPECT_FALSE(b->finish().ok());
}

TEST(JsonBody, HugeIntegerIsOutOfRange) {
  auto b = JsonBody::parse(R"({"n":18446744073709551615})");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->integer("n", 0, 10).has_value());
}

}  // namespace
}  // namespace confpro::web
