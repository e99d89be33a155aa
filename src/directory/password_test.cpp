#include "directory/password.h"

#include <gtest/gtest.h>

#include <set>

namespace confpro::directory {
namespace {

TEST(Password, HashIsArgon2idAndVerifies) {
  auto h = hash_password("correct horse");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password(*h, "correct horse"));
  EXPECT_FALSE(verify_password(*h, "correct horsE"));
  EXPECT_FALSE(verify_password(*h, ""));
}

TEST(Password, SamePasswordHashesDifferently) {
  EXPECT_NE(hash_password("pw123456").value(), hash_password("pw123456").value());
}

TEST(Password, MalformedHashNeverVerifies) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("plaintext", "plaintext"));
  EXPECT_FALSE(verify_password(std::string(500, '$'), "x"));
}

TEST(Password, GeneratedPasswordsAreLongUnambiguousAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string p = generate_password();
    EXPECT_EQ(p.size(), 16u);
    EXPECT_EQ(p.find_first_of("0O1lI"), std::string::npos) << p;
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(generate_password(24).size(), 24u);
}

}  // namespace
}  // namespace confpro::directory
