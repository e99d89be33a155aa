#include "common/timezone.h"

#include <gtest/gtest.h>

namespace confpro {

TEST(TimeZone, ParsesLocalTimeInParisWinterAndSummer) {
  auto winter = parse_local_time("2026-01-15 10:00", "Europe/Paris");
  ASSERT_TRUE(winter.ok());
  EXPECT_EQ(format_iso_utc(*winter), "2026-01-15T09:00:00Z");
  auto summer = parse_local_time("2026-07-15 10:00", "Europe/Paris");
  ASSERT_TRUE(summer.ok());
  EXPECT_EQ(format_iso_utc(*summer), "2026-07-15T08:00:00Z");
}

TEST(TimeZone, SkippedHourIsRejected) {
  // 2026-03-29 02:30 does not exist in Paris: clocks jump from 02:00 to 03:00.
  auto r = parse_local_time("2026-03-29 02:30", "Europe/Paris");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.at(0).field, "start");
}

TEST(TimeZone, RepeatedHourTakesFirstOccurrence) {
  // 2026-10-25 02:30 happens twice in Paris; the first is still summer time (+02:00).
  auto r = parse_local_time("2026-10-25 02:30", "Europe/Paris");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(format_iso_utc(*r), "2026-10-25T00:30:00Z");
}

TEST(TimeZone, FormatsBackInZone) {
  auto t = parse_iso_time("2026-07-15T08:00:00Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(format_local_time(*t, "Europe/Paris"), "2026-07-15 10:00");
  EXPECT_EQ(format_iso_local(*t, "Europe/Paris"), "2026-07-15T10:00:00+02:00");
}

TEST(TimeZone, RejectsGarbage) {
  EXPECT_FALSE(parse_local_time("tomorrow", "UTC").ok());
  EXPECT_FALSE(parse_local_time("2026-13-01 10:00", "UTC").ok());
  EXPECT_FALSE(validate_time_zone("Mars/Olympus").ok());
  EXPECT_TRUE(validate_time_zone("UTC").ok());
}

}  // namespace confpro
