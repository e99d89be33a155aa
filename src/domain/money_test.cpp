#include <gtest/gtest.h>

#include "domain/money.h"
#include "domain/tariff.h"

namespace confpro::domain {
namespace {

TEST(Money, DecimalStringsBecomeMinorUnits) {
  EXPECT_EQ(parse_amount("5"), 500);
  EXPECT_EQ(parse_amount("5.0"), 500);
  EXPECT_EQ(parse_amount("5.00"), 500);
  EXPECT_EQ(parse_amount("0.05"), 5);
  EXPECT_EQ(parse_amount("1000000000.00"), kMaxAmountMinor);
  EXPECT_EQ(parse_amount("-3.5", true), -350);
}

TEST(Money, NegativeAbsurdAndMalformedAmountsAreRefused) {
  for (const char* bad : {"", "-1", "1.234", "1.", ".5", "1e3", " 1", "1 ", "1,00", "abc", "0x10", "+1",
                          "1000000000.01", "99999999999", "--1", "1.2.3", "NaN"})
    EXPECT_EQ(parse_amount(bad), std::nullopt) << bad;
  EXPECT_EQ(parse_amount("-", true), std::nullopt);
  EXPECT_EQ(parse_amount("-1000000000.01", true), std::nullopt);
}

TEST(Money, MinorUnitsAreShownWithTwoDecimals) {
  EXPECT_EQ(format_amount(500), "5.00");
  EXPECT_EQ(format_amount(5), "0.05");
  EXPECT_EQ(format_amount(0), "0.00");
  EXPECT_EQ(format_amount(-350), "-3.50");
  for (std::int64_t v : std::initializer_list<std::int64_t>{0, 1, 99, 100, 123456, kMaxAmountMinor})
    EXPECT_EQ(parse_amount(format_amount(v)), v);
  EXPECT_TRUE(valid_currency("EUR"));
  EXPECT_FALSE(valid_currency("eur"));
  EXPECT_FALSE(valid_currency("EURO"));
}

TEST(Tariff, TheCheapestPlanCoveringDurationAndParticipantsPricesTheBooking) {
  const std::vector<TariffPlan> plans{{"small", 60, 5, 500, "EUR"},
                                      {"long", 240, 5, 1500, "EUR"},
                                      {"large", 60, 50, 2000, "EUR"},
                                      {"big", 480, 100, 9000, "EUR"}};
  auto q = quote(plans, 30, 4);
  ASSERT_NE(q.plan, nullptr);
  EXPECT_EQ(q.plan->name, "small");
  EXPECT_EQ(q.price, 500);
  EXPECT_EQ(quote(plans, 60, 5).plan->name, "small") << "limits are inclusive";
  EXPECT_EQ(quote(plans, 61, 5).plan->name, "long");
  EXPECT_EQ(quote(plans, 61, 6).plan->name, "big");
  EXPECT_EQ(quote(plans, 30, 20).plan->name, "large");
  EXPECT_EQ(quote(plans, 481, 2).plan, nullptr) << "nothing covers it: it cannot be sold";
  EXPECT_EQ(quote({}, 30, 2).plan, nullptr);
}

// The refusals the CLI and the API give for a bad amount or an uncovered booking name the field and the rule.
TEST(MoneyTest, AmountFieldAndNoPlanErrorNameTheFieldAndTheRule) {
  EXPECT_EQ(amount_field("amount", "-5.25", true).value(), -525);
  auto bad = amount_field("amount", "1.234", true);
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().fields.size(), 1u);
  EXPECT_EQ(bad.error().fields[0].field, "amount");
  EXPECT_EQ(bad.error().fields[0].reason, "bad_amount");
  EXPECT_FALSE(amount_field("credit", "-1.00", false).ok());
  auto none = no_plan_error("account", 600, 4);
  EXPECT_EQ(none.fields.at(0).message, "no tariff plan covers 600 minutes and 4 participants");
  EXPECT_EQ(none.fields.at(0).reason, "no_plan");
}

}  // namespace
}  // namespace confpro::domain
