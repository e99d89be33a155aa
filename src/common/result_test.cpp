#include "common/result.h"

#include <gtest/gtest.h>

namespace confpro {

TEST(Result, CarriesValueOrError) {
  Result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad = Error::invalid("pin", "must contain digits only");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(bad.error().fields.size(), 1u);
  EXPECT_EQ(bad.error().fields[0].field, "pin");
}

TEST(Result, InvalidFieldsNamesEveryField) {
  auto e = Error::invalid_fields({{"name", "is required"}, {"duration", "must be at least 1"}});
  EXPECT_EQ(e.message, "name: is required; duration: must be at least 1");
  EXPECT_EQ(e.fields.size(), 2u);
}

}  // namespace confpro
