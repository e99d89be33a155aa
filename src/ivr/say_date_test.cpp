#include <gtest/gtest.h>

#include "common/timezone.h"
#include "ivr/say.h"

namespace confpro::ivr {
namespace {

using domain::Language;
using Keys = std::vector<std::string>;

TimePoint utc(const char* iso) {
  auto t = parse_iso_time(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return *t;
}

LocalDateTime local(const char* iso, const char* zone = "Europe/Paris") {
  auto r = to_local_date_time(utc(iso), zone);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : LocalDateTime{};
}

void expect_local(const LocalDateTime& l, int y, unsigned mo, unsigned d, unsigned wd, unsigned h,
                  unsigned mi) {
  EXPECT_EQ(l.year, y);
  EXPECT_EQ(l.month, mo);
  EXPECT_EQ(l.day, d);
  EXPECT_EQ(l.weekday, wd);
  EXPECT_EQ(l.hour, h);
  EXPECT_EQ(l.minute, mi);
}

TEST(LocalDateTime, ParisIsOneHourAheadInWinterAndTwoInSummer) {
  expect_local(local("2026-12-01T08:30:00Z"), 2026, 12, 1, 2, 9, 30);   // Tuesday
  expect_local(local("2026-07-14T08:30:00Z"), 2026, 7, 14, 2, 10, 30);  // Tuesday, summer time
}

TEST(LocalDateTime, FollowsTheSpringForwardAndAutumnBackChanges) {
  // 2026-03-29: 02:00 local jumps to 03:00.
  expect_local(local("2026-03-29T00:59:00Z"), 2026, 3, 29, 0, 1, 59);
  expect_local(local("2026-03-29T01:00:00Z"), 2026, 3, 29, 0, 3, 0);
  // 2026-10-25: 03:00 local goes back to 02:00, so 02:30 happens twice.
  expect_local(local("2026-10-25T00:30:00Z"), 2026, 10, 25, 0, 2, 30);
  expect_local(local("2026-10-25T01:30:00Z"), 2026, 10, 25, 0, 2, 30);
  expect_local(local("2026-10-25T02:30:00Z"), 2026, 10, 25, 0, 3, 30);
}

TEST(LocalDateTime, CrossesMonthAndYearBoundariesInTheZoneNotInUtc) {
  expect_local(local("2026-12-31T23:30:00Z"), 2027, 1, 1, 5, 0, 30);  // already Friday 1 January in Paris
  expect_local(local("2026-12-31T23:30:00Z", "UTC"), 2026, 12, 31, 4, 23, 30);
  expect_local(local("2026-02-28T23:30:00Z"), 2026, 3, 1, 0, 0, 30);  // Sunday 1 March
  expect_local(local("2026-11-30T22:59:00Z"), 2026, 11, 30, 1, 23, 59);
  expect_local(local("2026-11-30T23:00:00Z"), 2026, 12, 1, 2, 0, 0);
}

TEST(LocalDateTime, UnknownZoneIsRejected) {
  auto r = to_local_date_time(utc("2026-12-01T08:30:00Z"), "Mars/Olympus_Mons");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(SayDate, EnglishTuesdayDecemberFirstTwentyTwentySixAtNineThirtyAm) {
  EXPECT_EQ(date_keys(local("2026-12-01T08:30:00Z"), Language::kEnglish),
            (Keys{"digits/day-2", "digits/mon-11", "digits/h-1", "digits/20", "digits/20", "digits/6",
                  "digits/at", "digits/9", "digits/30", "digits/a-m"}));
}

TEST(SayDate, FrenchMardiPremierDecembreDeuxMilleVingtSixANeufHeuresTrente) {
  EXPECT_EQ(date_keys(local("2026-12-01T08:30:00Z"), Language::kFrench),
            (Keys{"digits/day-2", "digits/h-1", "digits/mon-11", "digits/2", "digits/thousand", "digits/20",
                  "digits/6", "digits/at", "digits/9", "digits/oclock", "digits/30"}));
}

TEST(SayDate, NewYearJustAfterMidnightInParis) {
  const auto when = local("2026-12-31T23:30:00Z");
  EXPECT_EQ(date_keys(when, Language::kEnglish),
            (Keys{"digits/day-5", "digits/mon-0", "digits/h-1", "digits/20", "digits/20", "digits/7",
                  "digits/at", "digits/12", "digits/30", "digits/a-m"}));
  EXPECT_EQ(date_keys(when, Language::kFrench),
            (Keys{"digits/day-5", "digits/h-1", "digits/mon-0", "digits/2", "digits/thousand", "digits/20",
                  "digits/7", "digits/at", "digits/0", "hour", "digits/30"}));
}

TEST(SayDate, EnglishOrdinalsAboveTwentyAreTensPlusOrdinal) {
  LocalDateTime d{2026, 12, 21, 1, 15, 0};
  DateParts day_only{false, false, false};
  EXPECT_EQ(date_keys(d, Language::kEnglish, day_only), (Keys{"digits/mon-11", "digits/20", "digits/h-1"}));
  d.day = 30;
  EXPECT_EQ(date_keys(d, Language::kEnglish, day_only), (Keys{"digits/mon-11", "digits/h-30"}));
  d.day = 31;
  EXPECT_EQ(date_keys(d, Language::kEnglish, day_only), (Keys{"digits/mon-11", "digits/30", "digits/h-1"}));
  d.day = 12;
  EXPECT_EQ(date_keys(d, Language::kEnglish, day_only), (Keys{"digits/mon-11", "digits/h-12"}));
}

TEST(SayDate, FrenchSaysPremierOnlyOnTheFirst) {
  LocalDateTime d{2026, 5, 21, 4, 15, 0};
  DateParts day_only{false, false, false};
  EXPECT_EQ(date_keys(d, Language::kFrench, day_only),
            (Keys{"digits/20", "digits/et", "digits/1", "digits/mon-4"}));
  d.day = 2;
  EXPECT_EQ(date_keys(d, Language::kFrench, day_only), (Keys{"digits/2", "digits/mon-4"}));
}

TEST(SayDate, EnglishClockUsesOhForSingleDigitMinutesAndNoonIsPm) {
  DateParts time_only{false, false, true};
  LocalDateTime d{2026, 1, 5, 1, 9, 5};
  EXPECT_EQ(
      date_keys(d, Language::kEnglish, time_only),
      (Keys{"digits/mon-0", "digits/h-5", "digits/at", "digits/9", "digits/oh", "digits/5", "digits/a-m"}));
  d.hour = 12;
  d.minute = 0;
  EXPECT_EQ(date_keys(d, Language::kEnglish, time_only),
            (Keys{"digits/mon-0", "digits/h-5", "digits/at", "digits/12", "digits/p-m"}));
  d.hour = 23;
  d.minute = 45;
  EXPECT_EQ(
      date_keys(d, Language::kEnglish, time_only),
      (Keys{"digits/mon-0", "digits/h-5", "digits/at", "digits/11", "digits/40", "digits/5", "digits/p-m"}));
}

TEST(SayDate, FrenchClockIsTwentyFourHourWithFeminineHours) {
  DateParts time_only{false, false, true};
  LocalDateTime d{2026, 1, 5, 1, 21, 0};
  EXPECT_EQ(date_keys(d, Language::kFrench, time_only),  // vingt et une heures
            (Keys{"digits/5", "digits/mon-0", "digits/at", "digits/20", "digits/et", "digits/1F",
                  "digits/oclock"}));
  d.hour = 1;
  d.minute = 1;
  EXPECT_EQ(date_keys(d, Language::kFrench, time_only),  // une heure une
            (Keys{"digits/5", "digits/mon-0", "digits/at", "digits/1F", "hour", "digits/1F"}));
}

TEST(SayDate, EnglishYearsAreSaidAsPeopleSayThem) {
  DateParts year_only{false, true, false};
  LocalDateTime d{1999, 1, 1, 5, 0, 0};
  EXPECT_EQ(date_keys(d, Language::kEnglish, year_only),
            (Keys{"digits/mon-0", "digits/h-1", "digits/19", "digits/90", "digits/9"}));
  d.year = 2005;
  EXPECT_EQ(date_keys(d, Language::kEnglish, year_only),
            (Keys{"digits/mon-0", "digits/h-1", "digits/2", "digits/thousand", "digits/5"}));
  d.year = 2101;
  EXPECT_EQ(date_keys(d, Language::kEnglish, year_only),
            (Keys{"digits/mon-0", "digits/h-1", "digits/20", "digits/1", "digits/oh", "digits/1"}));
  d.year = 1900;
  EXPECT_EQ(date_keys(d, Language::kEnglish, year_only),
            (Keys{"digits/mon-0", "digits/h-1", "digits/19", "digits/hundred"}));
}

}  // namespace
}  // namespace confpro::ivr
