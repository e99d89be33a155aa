#include <gtest/gtest.h>

#include "common/timezone.h"
#include "ivr/prompt_table.h"
#include "ivr/say.h"

namespace confpro::ivr {
namespace {

using domain::Language;
using Keys = std::vector<std::string>;

domain::Booking booking() {
  domain::Booking b;
  b.number = "482913";
  b.user_pin = "1234";
  b.moderator_pin = "9876";
  b.valid_from = *parse_iso_time("2026-11-30T08:30:00Z");
  b.validity_days = 1;  // valid until 2026-12-01 09:30 in Paris
  b.max_participants = 10;
  b.duration_minutes = 90;
  return b;
}

TEST(BookingDetails, EnglishReadsNumberValidityAndCapacityThenDuration) {
  auto r = booking_details_keys(booking(), "Europe/Paris", Language::kEnglish);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (Keys{"your-conference-number-is",
                      "digits/4",
                      "digits/8",
                      "digits/2",
                      "digits/9",
                      "digits/1",
                      "digits/3",
                      "valid-until",
                      "digits/day-2",
                      "digits/mon-11",
                      "digits/h-1",
                      "digits/20",
                      "digits/20",
                      "digits/6",
                      "digits/at",
                      "digits/9",
                      "digits/30",
                      "digits/a-m",
                      "for-up-to",
                      "digits/10",
                      "participants",
                      "lasting",
                      "digits/1",
                      "hour",
                      "digits/30",
                      "minutes"}));
}

TEST(BookingDetails, FrenchWithPinsAndWithoutDuration) {
  auto r =
      booking_details_keys(booking(), "Europe/Paris", Language::kFrench, {.pins = true, .duration = false});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (Keys{"your-conference-number-is",
                      "digits/4",
                      "digits/8",
                      "digits/2",
                      "digits/9",
                      "digits/1",
                      "digits/3",
                      "participant-pin-is",
                      "digits/1",
                      "digits/2",
                      "digits/3",
                      "digits/4",
                      "moderator-pin-is",
                      "digits/9",
                      "digits/8",
                      "digits/7",
                      "digits/6",
                      "valid-until",
                      "digits/day-2",
                      "digits/h-1",
                      "digits/mon-11",
                      "digits/2",
                      "digits/thousand",
                      "digits/20",
                      "digits/6",
                      "digits/at",
                      "digits/9",
                      "digits/oclock",
                      "digits/30",
                      "for-up-to",
                      "digits/10",
                      "participants"}));
}

TEST(BookingDetails, EveryKeyItUsesIsInTheCatalog) {
  for (Language l : {Language::kFrench, Language::kEnglish}) {
    auto r = booking_details_keys(booking(), "Europe/Paris", l, {.pins = true});
    ASSERT_TRUE(r.ok());
    for (const auto& k : *r) EXPECT_NE(find_prompt(k), nullptr) << k;
  }
}

TEST(BookingDetails, BadZoneOrNonDigitNumberIsAnError) {
  EXPECT_EQ(booking_details_keys(booking(), "Nowhere/Void", Language::kFrench).error().code,
            ErrorCode::kInvalidArgument);
  auto b = booking();
  b.number = "48-29";
  auto r = booking_details_keys(b, "Europe/Paris", Language::kFrench);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.at(0).field, "number");
}

}  // namespace
}  // namespace confpro::ivr
