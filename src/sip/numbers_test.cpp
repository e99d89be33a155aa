#include "sip/numbers.h"

#include <gtest/gtest.h>

namespace confpro::sip {
namespace {

TEST(Numbers, UserParametersAreStripped) {
  EXPECT_EQ(strip_user_params("+331234;phone-context=example.com"), "+331234");
}

TEST(Numbers, DialPlanAllowsOnlyWholeMatches) {
  auto plan = DialPlan::compile({"0[1-9][0-9]{8}", "1[0-9]{3}"});
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->allows("0123456789"));
  EXPECT_TRUE(plan->allows("1234"));
  EXPECT_FALSE(plan->allows("00123456789"));
  EXPECT_FALSE(plan->allows("12345"));
}

TEST(Numbers, BadPatternIsAnError) { EXPECT_FALSE(DialPlan::compile({"([0-9"}).ok()); }

TEST(Numbers, DialNumbersMustBeDigitsOnly) {
  auto plan = DialPlan::compile({".*"});
  ASSERT_TRUE(plan.ok());
  for (const char* bad : {"1234&5", "12,34", "1234@evil.com", "1234;user=phone", "12%40", "12ab", "*123", "", "#"}) {
    auto r = check_dial_number(bad, {}, *plan);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(check_dial_number("+1 (555) 0100", {}, *plan).ok());
}

TEST(Numbers, NumberOutsideThePlanIsDenied) {
  auto plan = DialPlan::compile({"0[1-5][0-9]{8}"});
  ASSERT_TRUE(plan.ok());
  auto premium = check_dial_number("0899123456", {}, *plan);
  ASSERT_FALSE(premium.ok());
  EXPECT_EQ(premium.error().code, ErrorCode::kPermissionDenied);
  auto ok = check_dial_number("01 23 45 67 89", {}, *plan);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "0123456789");
}

TEST(Numbers, EmptyPlanAllowsNothing) {
  auto plan = DialPlan::compile({});
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(check_dial_number("0123456789", {}, *plan).ok());
}

}  // namespace
}  // namespace confpro::sip
