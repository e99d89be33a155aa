// PIN guessing throttle (pin_guard.h): back-off per source, conference closing, and the attacks of issue 11
// item 4 — a guesser forging a known number, forging a participant's number to lock them out, anonymous
// callers pooled together.
#include "conference/pin_guard.h"

#include <gtest/gtest.h>

namespace confpro::conference {
namespace {

using namespace std::chrono_literals;
using Verdict = PinThrottle::Verdict;
using Tripped = PinThrottle::Tripped;

const TimePoint t0 = from_epoch_ms(1'000'000'000);

TEST(PinGuard, TheNthFailureLocksOutForTheFirstLockout) {
  PinGuard guard(3, 600s, 3600s, 30s);
  EXPECT_EQ(guard.failure("k", t0), 0s);
  EXPECT_EQ(guard.failure("k", t0 + 10s), 0s);
  EXPECT_FALSE(guard.locked("k", t0 + 11s));
  EXPECT_EQ(guard.failure("k", t0 + 20s), 30s);
  EXPECT_TRUE(guard.locked("k", t0 + 21s));
  EXPECT_TRUE(guard.locked("k", t0 + 49s));
  EXPECT_FALSE(guard.locked("k", t0 + 50s)) << "the lockout ends";
  EXPECT_FALSE(guard.locked("other", t0 + 21s)) << "other keys unaffected";
}

TEST(PinGuard, EachFurtherFailureDoublesTheLockoutUpToTheCap) {
  PinGuard guard(2, 600s, 200s, 30s);
  TimePoint t = t0;
  guard.failure("k", t);
  std::vector<std::chrono::seconds> lockouts;
  for (int i = 0; i < 5; ++i) {
    lockouts.push_back(guard.failure("k", t));
    t += lockouts.back();  // the guesser waits the lockout out, then tries again
    EXPECT_FALSE(guard.locked("k", t));
  }
  EXPECT_EQ(lockouts, (std::vector<std::chrono::seconds>{30s, 60s, 120s, 200s, 200s}));
}

TEST(PinGuard, AStreakEndsAWindowAfterItsLastLockout) {
  PinGuard guard(2, 600s, 3600s, 30s);
  guard.failure("k", t0);
  EXPECT_EQ(guard.failure("k", t0 + 1s), 30s);
  EXPECT_EQ(guard.streak("k", t0 + 600s), 2) << "still within the window after the lockout";
  EXPECT_EQ(guard.streak("k", t0 + 631s), 0);
  EXPECT_EQ(guard.failure("k", t0 + 631s), 0s) << "a fresh streak: one free failure again";
}

TEST(PinGuard, SuccessEndsTheStreak) {
  PinGuard guard(2, 60s, 300s);
  guard.failure("k", t0);
  guard.success("k");
  EXPECT_EQ(guard.failure("k", t0 + 1s), 0s);
}

TEST(PinGuard, EndedStreaksArePrunedSoManySourcesDoNotGrowMemory) {
  PinGuard guard(5, 60s, 300s);
  for (int i = 0; i < 5000; ++i) guard.failure("source:" + std::to_string(i), t0 + std::chrono::seconds(i / 10));
  // Keys older than the window are dropped as new ones come: at most a window's worth (~600) plus slack remain.
  EXPECT_LT(guard.size(), 2100u);
}

PinThrottleOptions options(int source, int conference) {
  PinThrottleOptions o;
  o.caller_failures = source;
  o.conference_failures = conference;
  o.window = 600s;
  o.lockout = 3600s;
  o.first_lockout = 300s;
  return o;
}

const PinCaller kParticipant{"0611223344", "198.51.100.20"};

TEST(PinThrottle, ASourceThatKeepsGuessingIsLockedOutWhateverNumberItSends) {
  PinThrottle t(options(3, 0));
  EXPECT_EQ(t.failure("111", {"0701", "203.0.113.9"}, t0).tripped, Tripped::kNone);
  EXPECT_EQ(t.failure("222", {"0702", "203.0.113.9"}, t0).tripped, Tripped::kNone);
  const auto f = t.failure("111", {"0703", "203.0.113.9"}, t0);
  EXPECT_EQ(f.tripped, Tripped::kCaller);
  EXPECT_EQ(f.lockout, 300s);
  EXPECT_EQ(t.check("333", {"0799", "203.0.113.9"}, false, t0), Verdict::kCallerLockedOut) << "a new number";
  EXPECT_EQ(t.check("111", {"0703", "203.0.113.10"}, false, t0), Verdict::kAllowed) << "other sources unaffected";
}

TEST(PinThrottle, ForgingAParticipantsNumberLocksOutOnlyTheForger) {
  PinThrottle t(options(3, 0));
  const PinCaller forger{kParticipant.number, "203.0.113.9"};
  for (int i = 0; i < 20; ++i) t.failure("111", forger, t0 + std::chrono::seconds(i));
  EXPECT_EQ(t.check("111", forger, false, t0 + 30s), Verdict::kCallerLockedOut);
  EXPECT_EQ(t.check("111", kParticipant, false, t0 + 30s), Verdict::kAllowed) << "the real participant, this room";
  EXPECT_EQ(t.check("222", kParticipant, false, t0 + 30s), Verdict::kAllowed) << "and every other room";
}

TEST(PinThrottle, AnonymousCallersFromDifferentSourcesAreNotPooled) {
  PinThrottle t(options(3, 0));
  for (int i = 0; i < 10; ++i) t.failure("111", {"anonymous", "203.0.113.9"}, t0);
  for (int i = 0; i < 10; ++i) t.failure("111", {"", "203.0.113.9"}, t0);
  EXPECT_EQ(t.check("111", {"anonymous", "203.0.113.9"}, false, t0), Verdict::kCallerLockedOut);
  EXPECT_EQ(t.check("111", {"anonymous", "192.0.2.44"}, false, t0), Verdict::kAllowed);
  EXPECT_EQ(t.check("111", {"", "192.0.2.45"}, false, t0), Verdict::kAllowed);
}

TEST(PinThrottle, LockoutsGrowWithTheStreakInsteadOfOneLongBan) {
  PinThrottle t(options(2, 0));
  const PinCaller guesser{"0701", "203.0.113.9"};
  t.failure("111", guesser, t0);
  EXPECT_EQ(t.failure("111", guesser, t0).lockout, 300s);
  EXPECT_EQ(t.check("111", guesser, false, t0 + 299s), Verdict::kCallerLockedOut);
  EXPECT_EQ(t.check("111", guesser, false, t0 + 300s), Verdict::kAllowed) << "5 min, not an hour, at first";
  EXPECT_EQ(t.failure("111", guesser, t0 + 300s).lockout, 600s) << "the next wrong PIN doubles it";
  EXPECT_EQ(t.failure("111", guesser, t0 + 900s).lockout, 1200s);
  EXPECT_EQ(t.failure("111", guesser, t0 + 2100s).lockout, 2400s);
  EXPECT_EQ(t.failure("111", guesser, t0 + 4500s).lockout, 3600s) << "capped at pin_lockout_duration";
}

TEST(PinThrottle, AnAttackFromManySourcesClosesTheConferenceToNewCallersOnly) {
  PinThrottle t(options(3, 4));
  t.success("111", kParticipant);  // a participant entered earlier
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(t.failure("111", {"07" + std::to_string(i), "203.0.113." + std::to_string(i)}, t0).tripped,
              Tripped::kNone);
  EXPECT_EQ(t.failure("111", {"0799", "203.0.113.99"}, t0).tripped, Tripped::kConference);
  EXPECT_EQ(t.check("111", kParticipant, false, t0), Verdict::kAllowed) << "a known participant is let in";
  EXPECT_EQ(t.check("111", {"0655", "192.0.2.1"}, true, t0), Verdict::kAllowed) << "an invitee is let in";
  EXPECT_EQ(t.check("111", {"0655", "192.0.2.1"}, false, t0), Verdict::kConferenceClosedToNewCallers);
  EXPECT_EQ(t.check("111", {"anonymous", "192.0.2.1"}, true, t0), Verdict::kConferenceClosedToNewCallers)
      << "an anonymous caller cannot be recognized";
  EXPECT_EQ(t.check("222", {"0655", "192.0.2.1"}, false, t0), Verdict::kAllowed) << "other conferences unaffected";
  EXPECT_EQ(t.check("111", {"0655", "192.0.2.1"}, false, t0 + 301s), Verdict::kAllowed) << "the lockout ends";
}

TEST(PinThrottle, AGuesserForgingAKnownNumberIsNotLetThroughTheClosedConference) {
  PinThrottle t(options(10, 3));
  t.success("111", kParticipant);
  const PinCaller forger{kParticipant.number, "203.0.113.9"};
  // The forger's own wrong PINs close the conference (3) long before its source's threshold (10) ...
  for (int i = 0; i < 3; ++i) t.failure("111", forger, t0 + std::chrono::seconds(i));
  ASSERT_EQ(t.check("111", {"0655", "192.0.2.1"}, false, t0 + 5s), Verdict::kConferenceClosedToNewCallers);
  // ... and the known number it forges no longer lets it guess on,
  EXPECT_EQ(t.check("111", forger, false, t0 + 5s), Verdict::kConferenceClosedToNewCallers);
  // while the participant it imitates, from its own address, still gets in.
  EXPECT_EQ(t.check("111", kParticipant, false, t0 + 5s), Verdict::kAllowed);
}

TEST(PinThrottle, AKnownCallerWithOneTypoStillGetsIntoTheClosedConference) {
  PinThrottle t(options(10, 3));
  t.success("111", kParticipant);
  for (int i = 0; i < 3; ++i) t.failure("111", {"07" + std::to_string(i), "203.0.113.9"}, t0);
  t.failure("111", kParticipant, t0 + 1s);
  EXPECT_EQ(t.check("111", kParticipant, false, t0 + 2s), Verdict::kAllowed);
  t.failure("111", kParticipant, t0 + 3s);
  EXPECT_EQ(t.check("111", kParticipant, false, t0 + 4s), Verdict::kConferenceClosedToNewCallers);
}

TEST(PinThrottle, ATrustedPeerIsKeyedPerConferenceAndNumberBehindIt) {
  PinThrottle t(options(3, 0));
  const PinCaller guesser{"0701", "192.0.2.200", true}, other{"0702", "192.0.2.200", true};
  for (int i = 0; i < 5; ++i) t.failure("111", guesser, t0);
  EXPECT_EQ(t.check("111", guesser, false, t0), Verdict::kCallerLockedOut);
  EXPECT_EQ(t.check("111", other, false, t0), Verdict::kAllowed) << "the trunk's other callers";
  EXPECT_EQ(t.check("222", guesser, false, t0), Verdict::kAllowed) << "its other conferences";
  EXPECT_EQ(t.check("111", {"0701", "203.0.113.9"}, false, t0), Verdict::kAllowed) << "not a number-wide ban";
  EXPECT_EQ(t.source_key("111", guesser), "peer:192.0.2.200|conference:111|number:0701");
  EXPECT_EQ(t.source_key("111", {"0701", "203.0.113.9"}), "source:203.0.113.9");
  EXPECT_EQ(t.source_key("111", {"0701", "192.0.2.200", false}), "source:192.0.2.200")
      << "an address SIP did not find in sip.trusted_peers is one source, whatever numbers it sends";
}

TEST(PinThrottle, ZeroTurnsThePerConferenceLockoutOff) {
  PinThrottle t(options(3, 0));
  for (int i = 0; i < 100; ++i)
    EXPECT_NE(t.failure("111", {"07" + std::to_string(i), "203.0.113." + std::to_string(i % 200)}, t0).tripped,
              Tripped::kConference);
  EXPECT_EQ(t.check("111", {"0655", "192.0.2.1"}, false, t0), Verdict::kAllowed);
}

TEST(PinThrottle, ForgottenConferencesNoLongerKnowTheirParticipants) {
  PinThrottle t(options(3, 1));
  t.success("111", kParticipant);
  t.forget("111");
  t.failure("111", {"0799", "203.0.113.9"}, t0);
  EXPECT_EQ(t.check("111", kParticipant, false, t0), Verdict::kConferenceClosedToNewCallers);
}

TEST(PinThrottle, NumbersFromTheStoredHistoryAreKnownToo) {
  PinThrottle t(options(3, 1));
  t.failure("111", {"0799", "203.0.113.9"}, t0);
  EXPECT_FALSE(t.history_loaded("111"));
  EXPECT_EQ(t.check("111", kParticipant, false, t0), Verdict::kConferenceClosedToNewCallers);
  t.remember_history("111", {kParticipant.number, "anonymous", ""});
  EXPECT_TRUE(t.history_loaded("111"));
  EXPECT_EQ(t.check("111", kParticipant, false, t0), Verdict::kAllowed) << "entered in an earlier run";
  EXPECT_EQ(t.check("111", {"0655", "192.0.2.1"}, false, t0), Verdict::kConferenceClosedToNewCallers);
  EXPECT_EQ(t.check("111", {"anonymous", "192.0.2.1"}, false, t0), Verdict::kConferenceClosedToNewCallers);
  t.forget("111");
  EXPECT_FALSE(t.history_loaded("111")) << "a forgotten conference loads its history again";
}

}  // namespace
}  // namespace confpro::conference
