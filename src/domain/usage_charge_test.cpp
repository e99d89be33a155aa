// domain/usage_charge.h: the actual use priced on top of the package — boundaries of the included minutes,
// per-started-minute rounding, toll-free against local access, the longest dial-out prefix, zero rates.
#include "domain/usage_charge.h"
#include "domain/tariff.h"

#include <gtest/gtest.h>

namespace confpro::domain {
namespace {

using namespace std::chrono_literals;

TariffPlan plan() {
  TariffPlan p;
  p.name = "team";
  p.max_duration_minutes = 60;
  p.max_participants = 10;
  p.price = 500;
  p.overage_per_participant_minute = 5;  // 0.05
  p.included_participant_minutes = 10;
  p.toll_free_per_minute = 10;  // 0.10
  p.dial_out = {{"+33", 2}, {"+336", 7}, {"+1", 4}};
  return p;
}

UsageLeg leg(std::int64_t id, std::chrono::milliseconds d, bool toll_free = false,
             std::optional<std::string> out = std::nullopt) {
  return UsageLeg{id, d, toll_free, std::move(out)};
}

// Issue 16 P1: a plan sold to an account comes before one sold to the booking's category, which comes before the
// public plans — whether dearer or cheaper — and a tier with no plan covering the booking falls through.
TEST(TariffQuote, AnAccountsPlanThenTheCategorysThenThePublicOnes) {
  std::vector<TariffPlan> plans(4);
  plans[0] = {"public", 60, 10, 500, "EUR"};
  plans[1] = {"public-big", 240, 100, 2000, "EUR"};
  plans[2] = {"acme-deal", 60, 10, 300, "EUR"};
  plans[2].accounts = {"acme"};
  plans[3] = {"staff-rate", 60, 10, 700, "EUR"};
  plans[3].categories = {"staff"};
  const auto name = [&](int length_min, int people, PlanScope scope) {
    const auto q = quote(plans, length_min, people, scope);
    return q.plan ? q.plan->name : std::string("none");
  };
  EXPECT_EQ(name(30, 5, {}), "public") << "plans sold to others are not offered";
  EXPECT_EQ(name(30, 5, {"acme", ""}), "acme-deal");
  EXPECT_EQ(name(30, 5, {"acme", "staff"}), "acme-deal") << "the account's deal before the category's rate";
  EXPECT_EQ(name(30, 5, {"globex", "staff"}), "staff-rate") << "the category's, even dearer than the public one";
  EXPECT_EQ(name(120, 50, {"acme", "staff"}), "public-big") << "none of theirs covers it: the public plans";
  EXPECT_EQ(name(600, 5, {"acme", "staff"}), "none");
  Booking b;
  b.duration_minutes = 30;
  b.max_participants = 5;
  b.category = "staff";
  EXPECT_EQ(quote(plans, b, "").plan->name, "staff-rate") << "a booking carries its category";
  EXPECT_EQ(quote(plans, b, "acme").price, 300);
}

TEST(TariffUsage, LegsAreCountedInStartedMinutes) {
  EXPECT_EQ(started_minutes(0ms), 0);
  EXPECT_EQ(started_minutes(-5s), 0);
  EXPECT_EQ(started_minutes(1ms), 1);
  EXPECT_EQ(started_minutes(60s), 1);
  EXPECT_EQ(started_minutes(61s), 2);
  EXPECT_EQ(started_minutes(60s + 1ms), 2);
}

TEST(TariffUsage, ExactlyTheIncludedMinutesCostOnlyThePackage) {
  const auto c = charge_usage(plan(), 500, {leg(1, 4min), leg(2, 6min)});
  EXPECT_EQ(c.participant_minutes, 10);
  EXPECT_EQ(c.overage_minutes, 0);
  EXPECT_EQ(c.overage, 0);
  EXPECT_EQ(c.total(), 500);
  EXPECT_EQ(c.breakdown("EUR"), "package 5.00 EUR");
}

TEST(TariffUsage, OneSecondOverTheIncludedMinutesIsAStartedMinuteOfOverageOnTheLegThatUsedIt) {
  const auto c = charge_usage(plan(), 500, {leg(1, 4min), leg(2, 6min + 1s)});
  EXPECT_EQ(c.participant_minutes, 11);
  EXPECT_EQ(c.overage_minutes, 1);
  EXPECT_EQ(c.overage, 5);
  EXPECT_EQ(c.total(), 505);
  ASSERT_EQ(c.legs.size(), 2u);
  EXPECT_EQ(c.legs[0].total(), 0) << "the first leg is within the package";
  EXPECT_EQ(c.legs[1].overage_minutes, 1);
  EXPECT_EQ(c.legs[1].total(), 5);
  EXPECT_EQ(c.breakdown("EUR"), "package 5.00 + overage 0.05 (1 participant-minute beyond 10) = 5.05 EUR");
}

TEST(TariffUsage, WithoutAnOverageRateThePackageIsFlat) {
  TariffPlan p = plan();
  p.overage_per_participant_minute.reset();
  const auto c = charge_usage(p, 500, {leg(1, 50min), leg(2, 50min)});
  EXPECT_EQ(c.participant_minutes, 100);
  EXPECT_EQ(c.overage, 0);
  EXPECT_EQ(c.total(), 500);
}

TEST(TariffUsage, ByDefaultThePackageIncludesItsParticipantsTimesItsDuration) {
  TariffPlan p = plan();
  p.included_participant_minutes.reset();
  EXPECT_EQ(p.included_minutes(), 600);
  const auto c = charge_usage(p, 500, {leg(1, 300min), leg(2, 300min), leg(3, 1s)});
  EXPECT_EQ(c.overage_minutes, 1);
  EXPECT_EQ(c.legs[2].overage, 5);
}

TEST(TariffUsage, TollFreeLegsCarryTheSurchargeLocalOnesDoNot) {
  const auto c = charge_usage(plan(), 500, {leg(1, 90s, true), leg(2, 90s, false)});
  EXPECT_EQ(c.toll_free, 20) << "2 started minutes at 0.10";
  EXPECT_EQ(c.legs[0].surcharge, 20);
  EXPECT_EQ(c.legs[0].surcharge_kind, "toll-free");
  EXPECT_EQ(c.legs[1].surcharge, 0);
  EXPECT_EQ(c.legs[1].surcharge_kind, "");
  EXPECT_EQ(c.total(), 520);
  EXPECT_EQ(c.breakdown("EUR"), "package 5.00 + toll-free 0.20 = 5.20 EUR");
}

TEST(TariffUsage, TheLongestDialOutPrefixWins) {
  const TariffPlan p = plan();
  ASSERT_NE(dial_out_rate(p, "+33612345678"), nullptr);
  EXPECT_EQ(dial_out_rate(p, "+33612345678")->prefix, "+336");
  EXPECT_EQ(dial_out_rate(p, "+33 1 23 45 67 89")->prefix, "+33") << "separators are ignored";
  EXPECT_EQ(dial_out_rate(p, "33612345678")->prefix, "+336") << "'+' is ignored";
  EXPECT_EQ(dial_out_rate(p, "0033612345678"), nullptr) << "0033 is not +33";
  EXPECT_EQ(dial_out_rate(p, "+4930123"), nullptr);
  const auto c = charge_usage(p, 500, {leg(1, 2min, false, "+33612345678"), leg(2, 2min, false, "+33123"),
                                       leg(3, 2min, false, "+4930123")});
  EXPECT_EQ(c.legs[0].surcharge, 14);
  EXPECT_EQ(c.legs[1].surcharge, 4);
  EXPECT_EQ(c.legs[2].surcharge, 0) << "no prefix matches: not charged";
  EXPECT_EQ(c.legs[2].surcharge_kind, "dial-out");
  EXPECT_EQ(c.dial_out, 18);
  EXPECT_EQ(c.total(), 518);
}

TEST(TariffUsage, ZeroRatesChargeNothing) {
  TariffPlan p = plan();
  p.overage_per_participant_minute = 0;
  p.included_participant_minutes = 0;
  p.toll_free_per_minute = 0;
  p.dial_out = {{"+33", 0}};
  const auto c = charge_usage(p, 500, {leg(1, 30min, true), leg(2, 30min, false, "+33612")});
  EXPECT_EQ(c.overage_minutes, 60);
  EXPECT_EQ(c.total(), 500);
  EXPECT_EQ(c.breakdown("EUR"), "package 5.00 EUR");
}

TEST(TariffUsage, NoLegsCostThePackage) {
  const auto c = charge_usage(plan(), 500, {});
  EXPECT_EQ(c.total(), 500);
  EXPECT_TRUE(c.legs.empty());
}

TEST(TariffUsage, QuoteTermsNameEveryPerMinuteRate) {
  EXPECT_EQ(per_minute_terms(plan()),
            "overage 0.05 per participant-minute beyond 10; toll-free 0.10 per minute; dial-out +33 0.02, +336 "
            "0.07, +1 0.04 per minute");
  TariffPlan flat;
  flat.max_participants = 5;
  flat.max_duration_minutes = 60;
  EXPECT_EQ(per_minute_terms(flat), "");
}

}  // namespace
}  // namespace confpro::domain
