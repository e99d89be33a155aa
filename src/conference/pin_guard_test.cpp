#include "conference/pin_guard.h"

#include <gtest/gtest.h>

namespace confpro::conference {
namespace {

TEST(PinGuard, LocksOutAfterTooManyFailuresInTheWindow) {
  PinGuard guard(3, std::chrono::seconds(60), std::chrono::seconds(300));
  TimePoint t0 = from_epoch_ms(1'000'000);
  EXPECT_FALSE(guard.failure("caller:1", t0));
  EXPECT_FALSE(guard.failure("caller:1", t0 + std::chrono::seconds(10)));
  EXPECT_FALSE(guard.locked("caller:1", t0 + std::chrono::seconds(11)));
  EXPECT_TRUE(guard.failure("caller:1", t0 + std::chrono::seconds(20)));
  EXPECT_TRUE(guard.locked("caller:1", t0 + std::chrono::seconds(21)));
  EXPECT_TRUE(guard.locked("caller:1", t0 + std::chrono::seconds(319)));
  EXPECT_FALSE(guard.locked("caller:1", t0 + std::chrono::seconds(321))) << "lockout ends";
  EXPECT_FALSE(guard.locked("caller:2", t0 + std::chrono::seconds(21))) << "other callers unaffected";
}

TEST(PinGuard, OldFailuresFallOutOfTheWindow) {
  PinGuard guard(3, std::chrono::seconds(60), std::chrono::seconds(300));
  TimePoint t0 = from_epoch_ms(1'000'000);
  guard.failure("k", t0);
  guard.failure("k", t0 + std::chrono::seconds(30));
  EXPECT_FALSE(guard.failure("k", t0 + std::chrono::seconds(61)));
  EXPECT_FALSE(guard.locked("k", t0 + std::chrono::seconds(62)));
}

TEST(PinGuard, SuccessForgetsPastFailures) {
  PinGuard guard(2, std::chrono::seconds(60), std::chrono::seconds(300));
  TimePoint t0 = from_epoch_ms(1'000'000);
  guard.failure("k", t0);
  guard.success("k");
  EXPECT_FALSE(guard.failure("k", t0 + std::chrono::seconds(1)));
}

PinThrottleOptions throttle_options(int caller, int conference) {
  PinThrottleOptions o;
  o.caller_failures = caller;
  o.conference_failures = conference;
  o.window = std::chrono::seconds(60);
  o.lockout = std::chrono::seconds(300);
  return o;
}

TEST(PinThrottle, ACallerWhoKeepsGuessingIsLockedOutEverywhere) {
  PinThrottle t(throttle_options(3, 0));
  const TimePoint t0 = from_epoch_ms(1'000'000);
  EXPECT_EQ(t.failure("111", "0611", t0), PinThrottle::Tripped::kNone);
  EXPECT_EQ(t.failure("222", "0611", t0), PinThrottle::Tripped::kNone);
  EXPECT_EQ(t.failure("111", "0611", t0), PinThrottle::Tripped::kCaller);
  EXPECT_EQ(t.check("333", "0611", false, t0), PinThrottle::Verdict::kCallerLockedOut);
  EXPECT_EQ(t.check("111", "0622", false, t0), PinThrottle::Verdict::kAllowed) << "other callers unaffected";
}

TEST(PinThrottle, AnAttackFromManyNumbersClosesTheConferenceToNewCallersOnly) {
  PinThrottle t(throttle_options(3, 4));
  const TimePoint t0 = from_epoch_ms(1'000'000);
  t.success("111", "0600");  // a participant entered earlier
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.failure("111", "07" + std::to_string(i), t0), PinThrottle::Tripped::kNone);
  EXPECT_EQ(t.failure("111", "0799", t0), PinThrottle::Tripped::kConference);
  EXPECT_EQ(t.check("111", "0600", false, t0), PinThrottle::Verdict::kAllowed) << "a known participant is let in";
  EXPECT_EQ(t.check("111", "0655", true, t0), PinThrottle::Verdict::kAllowed) << "an invitee is let in";
  EXPECT_EQ(t.check("111", "0655", false, t0), PinThrottle::Verdict::kConferenceClosedToNewCallers);
  EXPECT_EQ(t.check("111", "anonymous", true, t0), PinThrottle::Verdict::kConferenceClosedToNewCallers)
      << "an anonymous caller cannot be recognized";
  EXPECT_EQ(t.check("222", "0655", false, t0), PinThrottle::Verdict::kAllowed) << "other conferences unaffected";
  EXPECT_EQ(t.check("111", "0655", false, t0 + std::chrono::seconds(301)), PinThrottle::Verdict::kAllowed)
      << "the lockout ends";
}

TEST(PinThrottle, ZeroTurnsThePerConferenceLockoutOff) {
  PinThrottle t(throttle_options(3, 0));
  const TimePoint t0 = from_epoch_ms(1'000'000);
  for (int i = 0; i < 100; ++i) EXPECT_NE(t.failure("111", "07" + std::to_string(i), t0), PinThrottle::Tripped::kConference);
  EXPECT_EQ(t.check("111", "0655", false, t0), PinThrottle::Verdict::kAllowed);
}

TEST(PinThrottle, ForgottenConferencesNoLongerKnowTheirParticipants) {
  PinThrottle t(throttle_options(3, 1));
  const TimePoint t0 = from_epoch_ms(1'000'000);
  t.success("111", "0600");
  t.forget("111");
  t.failure("111", "0799", t0);
  EXPECT_EQ(t.check("111", "0600", false, t0), PinThrottle::Verdict::kConferenceClosedToNewCallers);
}

TEST(PinThrottle, NumbersFromTheStoredHistoryAreKnownToo) {
  PinThrottle t(throttle_options(3, 1));
  const TimePoint t0 = from_epoch_ms(1'000'000);
  t.failure("111", "0799", t0);
  EXPECT_FALSE(t.history_loaded("111"));
  EXPECT_EQ(t.check("111", "0600", false, t0), PinThrottle::Verdict::kConferenceClosedToNewCallers);
  t.remember_history("111", {"0600", "anonymous", ""});
  EXPECT_TRUE(t.history_loaded("111"));
  EXPECT_EQ(t.check("111", "0600", false, t0), PinThrottle::Verdict::kAllowed) << "entered in an earlier run";
  EXPECT_EQ(t.check("111", "0655", false, t0), PinThrottle::Verdict::kConferenceClosedToNewCallers);
  EXPECT_EQ(t.check("111", "anonymous", false, t0), PinThrottle::Verdict::kConferenceClosedToNewCallers);
  t.forget("111");
  EXPECT_FALSE(t.history_loaded("111")) << "a forgotten conference loads its history again";
}

}  // namespace
}  // namespace confpro::conference
