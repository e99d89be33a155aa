#include "sip/limits.h"

#include <gtest/gtest.h>

namespace confpro::sip {
namespace {

using std::chrono::milliseconds;

using std::chrono::seconds;
using Verdict = AdmissionGuard::Verdict;

SteadyTime t0() {
  return SteadyTime{} + std::chrono::hours(1);
}

TrustedPeers peers(const std::vector<std::string>& list) {
  auto p = TrustedPeers::parse(list);
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(p).value() : TrustedPeers{};
}

TEST(AdmissionGuard, BurstThenRateThenBan) {
  AdmissionGuard guard({10, 3, seconds(60), seconds(3600)}, {});
  const SteadyTime t = t0();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(guard.admit("a", t), Verdict::kAdmit);
  EXPECT_EQ(guard.admit("b", t), Verdict::kAdmit) << "sources have separate buckets";
  EXPECT_EQ(guard.admit("a", t), Verdict::kNewBan);
  EXPECT_EQ(guard.ban_left("a", t), seconds(60));
  EXPECT_EQ(guard.admit("a", t + milliseconds(100)), Verdict::kBanned) << "a token back, but banned";
  EXPECT_EQ(guard.screen("a", t + seconds(30), false), Verdict::kBanned);
  EXPECT_EQ(guard.screen("b", t + seconds(30), false), Verdict::kAdmit);
  EXPECT_EQ(guard.screen("a", t + seconds(61), false), Verdict::kAdmit) << "the ban ran out";
  EXPECT_EQ(guard.admit("a", t + seconds(62)), Verdict::kAdmit) << "a source that stopped is admitted again";
}

TEST(AdmissionGuard, FloodingThroughTheBanIsBannedAgainLongerWithoutANewBurst) {
  AdmissionGuard guard({20, 40, seconds(10), seconds(35)}, {});
  SteadyTime t = t0();
  int admitted = 0;
  std::vector<std::chrono::seconds> bans;
  // 2,000 INVITEs a second for two minutes; the screen sees them while banned, admit() otherwise.
  for (int i = 0; i < 240000; ++i, t += std::chrono::microseconds(500)) {
    if (guard.screen("f", t, false) != Verdict::kAdmit) continue;
    const Verdict v = guard.admit("f", t);
    if (v == Verdict::kAdmit) ++admitted;
    if (v == Verdict::kNewBan) bans.push_back(guard.ban_left("f", t));
  }
  EXPECT_EQ(admitted, 40) << "only the first burst, ever";
  ASSERT_GE(bans.size(), 4u);
  EXPECT_EQ(bans[0], seconds(10));
  EXPECT_EQ(bans[1], seconds(20));
  EXPECT_EQ(bans[2], seconds(35)) << "capped at max_ban";
  EXPECT_EQ(bans[3], seconds(35));
}

TEST(AdmissionGuard, AnOffenceIsForgottenAfterMaxBanOfGoodBehaviour) {
  AdmissionGuard guard({1, 1, seconds(10), seconds(100)}, {});
  SteadyTime t = t0();
  EXPECT_EQ(guard.admit("a", t), Verdict::kAdmit);
  EXPECT_EQ(guard.admit("a", t), Verdict::kNewBan);
  EXPECT_EQ(guard.strikes("a"), 1);
  t += seconds(50);  // ban over, within max_ban: a repeat doubles
  EXPECT_EQ(guard.admit("a", t), Verdict::kAdmit);
  EXPECT_EQ(guard.admit("a", t), Verdict::kNewBan);
  EXPECT_EQ(guard.ban_left("a", t), seconds(20));
  t += seconds(200);  // clean for longer than max_ban: back to the first ban
  EXPECT_EQ(guard.admit("a", t), Verdict::kAdmit);
  EXPECT_EQ(guard.admit("a", t), Verdict::kNewBan);
  EXPECT_EQ(guard.ban_left("a", t), seconds(10));
  EXPECT_EQ(guard.strikes("a"), 1);
}

TEST(AdmissionGuard, TrustedPeersAreNeverLimited) {
  AdmissionGuard guard({1, 1, seconds(60), seconds(60)}, peers({"10.1.0.0/16", "2001:db8::7"}));
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(guard.admit("10.1.200.3", t0()), Verdict::kAdmit);
    EXPECT_EQ(guard.admit("2001:db8::7", t0()), Verdict::kAdmit);
  }
  EXPECT_EQ(guard.tracked_sources(), 0u);
  EXPECT_EQ(guard.admit("10.2.0.1", t0()), Verdict::kAdmit);
  EXPECT_EQ(guard.admit("10.2.0.1", t0()), Verdict::kNewBan);
}

TEST(AdmissionGuard, OtherRequestsOutOfDialogDrawOnTheSameBucket) {
  AdmissionGuard guard({1, 3, seconds(60), seconds(60)}, peers({"10.0.0.1"}));
  const SteadyTime t = t0();
  EXPECT_EQ(guard.screen("a", t, true), Verdict::kAdmit);
  EXPECT_EQ(guard.screen("a", t, true), Verdict::kAdmit);
  EXPECT_EQ(guard.admit("a", t), Verdict::kAdmit) << "the INVITE takes the last token";
  EXPECT_EQ(guard.screen("a", t, false), Verdict::kAdmit) << "an INVITE at the screen only meets bans";
  EXPECT_EQ(guard.screen("a", t, true), Verdict::kNewBan) << "an OPTIONS flood bans like an INVITE flood";
  EXPECT_EQ(guard.admit("a", t + seconds(2)), Verdict::kBanned);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(guard.screen("10.0.0.1", t, true), Verdict::kAdmit) << "trusted";
}

TEST(AdmissionGuard, ZeroRateDisablesTheLimit) {
  AdmissionGuard guard({0, 1, seconds(60), seconds(60)}, {});
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(guard.admit("a", t0()), Verdict::kAdmit);
    EXPECT_EQ(guard.screen("a", t0(), true), Verdict::kAdmit);
  }
}

TEST(AdmissionGuard, IdleSourcesAreForgottenBannedOnesRemembered) {
  AdmissionGuard guard({10, 2, seconds(60), seconds(600)}, {});
  const SteadyTime t = t0();
  for (int i = 0; i < 100; ++i) (void)guard.admit("src" + std::to_string(i), t);
  for (int i = 0; i < 3; ++i) (void)guard.admit("flooder", t);
  EXPECT_EQ(guard.tracked_sources(), 101u);
  (void)guard.admit("late", t + seconds(5));
  EXPECT_EQ(guard.tracked_sources(), 2u) << "the flooder's ban and the newcomer stay";
  (void)guard.admit("later", t + seconds(700));
  EXPECT_EQ(guard.tracked_sources(), 1u) << "an offence older than max_ban is forgotten";
}

TEST(AdmissionGuard, SummaryCountsDropsAndNamesTheTopSource) {
  AdmissionGuard guard({1, 1, seconds(60), seconds(60)}, {});
  const SteadyTime t = t0();
  for (const char* ip : {"a", "b"}) {
    (void)guard.admit(ip, t);
    (void)guard.admit(ip, t);
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(guard.screen("a", t, false), Verdict::kBanned);
  EXPECT_EQ(guard.screen("b", t, true), Verdict::kBanned);
  const auto sum = guard.take_summary(t);
  EXPECT_EQ(sum.dropped, 6u);
  EXPECT_EQ(sum.banned_sources, 2u);
  EXPECT_EQ(sum.top_source, "a");
  EXPECT_EQ(sum.top_dropped, 5u);
  EXPECT_EQ(guard.take_summary(t).dropped, 0u);
}

TEST(TrustedPeers, AddressesAndNetworks) {
  const TrustedPeers p = peers({"192.0.2.10", "10.1.0.0/16", "172.16.0.0/12", "2001:db8::/32", "::1"});
  EXPECT_TRUE(p.contains("192.0.2.10"));
  EXPECT_FALSE(p.contains("192.0.2.11"));
  EXPECT_TRUE(p.contains("10.1.255.255"));
  EXPECT_FALSE(p.contains("10.2.0.1"));
  EXPECT_TRUE(p.contains("172.31.0.1"));
  EXPECT_FALSE(p.contains("172.32.0.1"));
  EXPECT_TRUE(p.contains("2001:db8:ffff::1"));
  EXPECT_FALSE(p.contains("2001:db9::1"));
  EXPECT_TRUE(p.contains("::1"));
  EXPECT_FALSE(p.contains("not-an-ip"));
  EXPECT_FALSE(p.contains(""));
  EXPECT_TRUE(peers({"0.0.0.0/0"}).contains("203.0.113.9"));
  EXPECT_FALSE(TrustedPeers{}.contains("127.0.0.1"));
}

TEST(TrustedPeers, BadEntriesAreRefused) {
  for (const char* bad : {"example.com", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::1/129", "1.2.3"}) {
    auto p = TrustedPeers::parse({bad});
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(DialOutLimiter, ConcurrentLimitPerConference) {
  DialOutLimiter limiter({2, 100, 100});
  SteadyTime t{};
  EXPECT_TRUE(limiter.acquire("c1", t).ok());
  EXPECT_TRUE(limiter.acquire("c1", t).ok());
  auto third = limiter.acquire("c1", t);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(limiter.acquire("c2", t).ok());
  limiter.release("c1");
  EXPECT_TRUE(limiter.acquire("c1", t).ok());
}

TEST(DialOutLimiter, HourlyLimitSlidesWithTime) {
  DialOutLimiter limiter({10, 2, 100});
  SteadyTime t{};
  t += std::chrono::hours(5);
  ASSERT_TRUE(limiter.acquire("c", t).ok());
  limiter.release("c");
  ASSERT_TRUE(limiter.acquire("c", t + std::chrono::minutes(10)).ok());
  limiter.release("c");
  EXPECT_FALSE(limiter.acquire("c", t + std::chrono::minutes(59)).ok());
  EXPECT_TRUE(limiter.acquire("c", t + std::chrono::minutes(61)).ok());
}

TEST(DialOutLimiter, NodeWideLimit) {
  DialOutLimiter limiter({10, 100, 2});
  SteadyTime t{};
  EXPECT_TRUE(limiter.acquire("a", t).ok());
  EXPECT_TRUE(limiter.acquire("b", t).ok());
  EXPECT_FALSE(limiter.acquire("c", t).ok());
}

}  // namespace
}  // namespace confpro::sip
