#include "domain/lifecycle.h"

#include <gtest/gtest.h>

#include "common/timezone.h"
#include "domain/booking_rules.h"

namespace confpro::domain {
namespace {

using std::chrono::days;
using std::chrono::minutes;

const TimePoint kStart = from_epoch_ms(1'800'000'000'000);  // 2027-01-15 08:00:00 UTC
constexpr Millis kMs{1};

Booking booking(int validity_days = 1, int duration = 60, int max_participants = 5) {
  Booking b;
  b.id = BookingId{1};
  b.name = "Sync";
  b.owner = "alice";
  b.number = "734912";
  b.user_pin = "482915";
  b.moderator_pin = "739164";
  b.valid_from = kStart;
  b.validity_days = validity_days;
  b.duration_minutes = duration;
  b.max_participants = max_participants;
  return b;
}

TEST(Lifecycle, ValidityWindowBoundaries) {
  Booking b = booking(1);
  EXPECT_EQ(can_join(b, Role::kUser, kStart - kMs, 0, false).outcome, JoinOutcome::kNotYetValid);
  EXPECT_EQ(can_join(b, Role::kUser, kStart, 0, false).outcome, JoinOutcome::kOk);
  EXPECT_EQ(can_join(b, Role::kUser, kStart + days{1} - kMs, 0, false).outcome, JoinOutcome::kOk);
  EXPECT_EQ(can_join(b, Role::kUser, kStart + days{1}, 0, false).outcome, JoinOutcome::kEnded);
  EXPECT_EQ(effective_state(b, kStart + days{1} - kMs), BookingState::kScheduled);
  EXPECT_EQ(effective_state(b, kStart + days{1}), BookingState::kEnded);
  EXPECT_EQ(effective_end_reason(b, kStart + days{1}), EndReason::kExpiredUnused);
  EXPECT_EQ(effective_end_reason(b, kStart), EndReason::kNone);
}

TEST(Lifecycle, DurationCountsFromOpeningNotFromValidity) {
  Booking b = booking(1, 60);
  const TimePoint opened = kStart + minutes{90};
  ASSERT_TRUE(open(b, opened).ok());
  EXPECT_EQ(b.state, BookingState::kActive);
  EXPECT_EQ(ends_at(b), opened + minutes{60});
  EXPECT_EQ(effective_state(b, opened + minutes{60} - kMs), BookingState::kActive);
  EXPECT_EQ(effective_state(b, opened + minutes{60}), BookingState::kEnded);
  EXPECT_EQ(effective_end_reason(b, opened + minutes{60}), EndReason::kDurationElapsed);
  EXPECT_EQ(can_join(b, Role::kModerator, opened + minutes{60}, 0, false).outcome, JoinOutcome::kEnded);
  EXPECT_EQ(can_join(b, Role::kUser, opened + minutes{59}, 1, false).outcome, JoinOutcome::kOk);
}

TEST(Lifecycle, ActiveSessionOutlivesTheValidityWindow) {
  // Opened 10 minutes before the window closes: it runs its full hour.
  Booking b = booking(1, 60);
  const TimePoint opened = kStart + days{1} - minutes{10};
  ASSERT_TRUE(open(b, opened).ok());
  EXPECT_EQ(effective_state(b, kStart + days{1} + minutes{30}), BookingState::kActive);
  EXPECT_FALSE(can_join(b, Role::kUser, kStart + days{1} + minutes{30}, 1, false).opens_session);
  EXPECT_EQ(can_join(b, Role::kUser, kStart + days{1} + minutes{30}, 1, false).outcome, JoinOutcome::kOk);
}

TEST(Lifecycle, WarningInstantIsEndMinusWarningMinutes) {
  ConferenceLimits limits;  // 5 minutes
  Booking b = booking(1, 60);
  EXPECT_EQ(warning_at(b, limits), std::nullopt);
  ASSERT_TRUE(open(b, kStart).ok());
  EXPECT_EQ(warning_at(b, limits), kStart + minutes{55});
  limits.warning_minutes = 0;
  EXPECT_EQ(warning_at(b, limits), std::nullopt);
  limits.warning_minutes = 10;
  Booking short_one = booking(1, 5);
  ASSERT_TRUE(open(short_one, kStart).ok());
  EXPECT_EQ(warning_at(short_one, limits), kStart);  // never before the opening
}

TEST(Lifecycle, CapacityIncludesModerators) {
  Booking b = booking(1, 60, 3);
  EXPECT_EQ(can_join(b, Role::kUser, kStart, 2, false).outcome, JoinOutcome::kOk);
  EXPECT_EQ(can_join(b, Role::kUser, kStart, 3, false).outcome, JoinOutcome::kFull);
  EXPECT_EQ(can_join(b, Role::kModerator, kStart, 3, false).outcome, JoinOutcome::kFull);
  EXPECT_EQ(can_join(b, Role::kModerator, kStart, 2, false).outcome, JoinOutcome::kOk);
}

TEST(Lifecycle, LockedRoomRefusesUsersButNotModerators) {
  Booking b = booking();
  ASSERT_TRUE(open(b, kStart).ok());
  EXPECT_EQ(can_join(b, Role::kUser, kStart, 1, true).outcome, JoinOutcome::kLocked);
  EXPECT_EQ(can_join(b, Role::kModerator, kStart, 1, true).outcome, JoinOutcome::kOk);
}

TEST(Lifecycle, WhoOpensTheSession) {
  Booking b = booking();
  EXPECT_EQ(can_join(b, Role::kUser, kStart, 0, false), (JoinDecision{JoinOutcome::kOk, true, false}));
  EXPECT_EQ(can_join(b, Role::kModerator, kStart, 0, false), (JoinDecision{JoinOutcome::kOk, true, false}));
  b.options.wait_for_leader = true;
  EXPECT_EQ(can_join(b, Role::kUser, kStart, 0, false), (JoinDecision{JoinOutcome::kOk, false, true}));
  EXPECT_EQ(can_join(b, Role::kModerator, kStart, 1, false), (JoinDecision{JoinOutcome::kOk, true, false}));
  ASSERT_TRUE(open(b, kStart).ok());
  EXPECT_EQ(can_join(b, Role::kUser, kStart, 2, false), (JoinDecision{JoinOutcome::kOk, false, false}));
}

TEST(Lifecycle, PinDecidesTheRole) {
  Booking b = booking();
  b.invitees = {{"bob@example.com", "", "604731"}};
  EXPECT_EQ(role_for_pin(b, "739164"), Role::kModerator);
  EXPECT_EQ(role_for_pin(b, "482915"), Role::kUser);
  EXPECT_EQ(role_for_pin(b, "604731"), Role::kUser);
  EXPECT_EQ(role_for_pin(b, "000000"), std::nullopt);
  EXPECT_EQ(role_for_pin(b, ""), std::nullopt);
  EXPECT_EQ(role_for_pin(b, "48291"), std::nullopt);
}

TEST(Lifecycle, AllowListByNumberOrPersonalPin) {
  Booking b = booking();
  b.invitees = {{"bob@example.com", "+33612345678", ""}, {"carol@example.com", "", "604731"}};
  EXPECT_TRUE(caller_allowed(b, "999", "482915"));  // anyone with the PIN
  b.join_policy = JoinPolicy::kAllowListOnly;
  EXPECT_TRUE(caller_allowed(b, "+33 6 12 34 56 78", "482915"));
  EXPECT_FALSE(caller_allowed(b, "+33699999999", "482915"));
  EXPECT_TRUE(caller_allowed(b, "+33699999999", "604731"));
  EXPECT_TRUE(caller_allowed(b, "anonymous", "739164"));  // the moderator PIN
  EXPECT_FALSE(caller_allowed(b, "", ""));
}

// The history names who came: a personal PIN names its invitee whatever the number; else the number does.
TEST(Lifecycle, MatchingInviteeByPersonalPinThenNumber) {
  Booking b = booking();
  b.invitees = {{"bob@example.com", "+33612345678", ""}, {"", "+33698765432", "604731"}};
  const std::vector<NumberRule> france{{"0033", "0"}};
  ASSERT_NE(matching_invitee(b, "0033612345678", "", {}), nullptr);
  EXPECT_EQ(invitee_label(*matching_invitee(b, "0033612345678", "", {})), "bob@example.com");
  ASSERT_NE(matching_invitee(b, "0612345678", "482915", france), nullptr) << "the national form is the same phone";
  EXPECT_EQ(invitee_label(*matching_invitee(b, "+33612345678", "604731", {})), "+33698765432")
      << "the personal PIN names its invitee before the number does";
  EXPECT_EQ(matching_invitee(b, "+33611111111", "482915", {}), nullptr);
  EXPECT_EQ(matching_invitee(b, "anonymous", "", {}), nullptr);
}

TEST(Lifecycle, OpenAndEndTransitions) {
  Booking b = booking();
  EXPECT_FALSE(open(b, kStart - kMs).ok());
  EXPECT_FALSE(open(b, kStart + days{1}).ok());
  EXPECT_FALSE(end(b, EndReason::kDurationElapsed, kStart).ok());
  EXPECT_FALSE(end(b, EndReason::kEndedByModerator, kStart).ok());
  EXPECT_FALSE(end(b, EndReason::kNone, kStart).ok());
  ASSERT_TRUE(open(b, kStart).ok());
  EXPECT_EQ(open(b, kStart).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_FALSE(end(b, EndReason::kExpiredUnused, kStart).ok());
  ASSERT_TRUE(end(b, EndReason::kEndedByModerator, kStart + minutes{3}).ok());
  EXPECT_EQ(b.state, BookingState::kEnded);
  EXPECT_EQ(b.end_reason, EndReason::kEndedByModerator);
  EXPECT_EQ(b.ended_at, kStart + minutes{3});
  EXPECT_EQ(end(b, EndReason::kEndedByAdmin, kStart).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(can_join(b, Role::kModerator, kStart + minutes{4}, 0, false).outcome, JoinOutcome::kEnded);

  Booking never = booking();
  ASSERT_TRUE(end(never, EndReason::kExpiredUnused, kStart + days{1}).ok());
  EXPECT_EQ(never.end_reason, EndReason::kExpiredUnused);
}

// The validity window is absolute time: a day is 24 h. Across the spring-forward night in Paris, a window
// starting at 00:30 local ends at 01:30 local the next day (24 h later), and across the autumn night at
// 23:30.
TEST(Lifecycle, ValidityAcrossDstChangesIsTwentyFourHoursPerDay) {
  const char* zone = "Europe/Paris";
  Booking spring = booking(1);
  spring.valid_from = parse_local_time("2026-03-29 00:30", zone).value();
  EXPECT_EQ(format_local_time(spring.valid_until(), zone), "2026-03-30 01:30");
  EXPECT_EQ(spring.valid_until() - spring.valid_from, std::chrono::hours{24});
  EXPECT_EQ(effective_state(spring, spring.valid_until() - kMs), BookingState::kScheduled);
  EXPECT_EQ(effective_state(spring, spring.valid_until()), BookingState::kEnded);

  Booking autumn = booking(1);
  autumn.valid_from = parse_local_time("2026-10-25 00:30", zone).value();
  EXPECT_EQ(format_local_time(autumn.valid_until(), zone), "2026-10-25 23:30");

  // A conference opened at 01:45 on the spring-forward night for 30 minutes ends at 03:15 local.
  Booking night = booking(1, 30);
  night.valid_from = parse_local_time("2026-03-29 00:30", zone).value();
  const TimePoint opened = parse_local_time("2026-03-29 01:45", zone).value();
  ASSERT_TRUE(open(night, opened).ok());
  EXPECT_EQ(format_local_time(*ends_at(night), zone), "2026-03-29 03:15");
  EXPECT_EQ(format_local_time(*warning_at(night, ConferenceLimits{}), zone), "2026-03-29 03:10");
}

}  // namespace
}  // namespace confpro::domain
