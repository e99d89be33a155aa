#include "sip/limits.h"

#include <gtest/gtest.h>

namespace confpro::sip {
namespace {

using std::chrono::milliseconds;

TEST(SourceRateLimiter, BurstThenRateThenRefill) {
  SourceRateLimiter limiter(10, 3);
  SteadyTime t{};
  t += std::chrono::hours(1);
  EXPECT_TRUE(limiter.admit("a", t));
  EXPECT_TRUE(limiter.admit("a", t));
  EXPECT_TRUE(limiter.admit("a", t));
  EXPECT_FALSE(limiter.admit("a", t));
  EXPECT_TRUE(limiter.admit("b", t)) << "sources have separate buckets";
  EXPECT_TRUE(limiter.admit("a", t + milliseconds(100)));
  EXPECT_FALSE(limiter.admit("a", t + milliseconds(150)));
}

TEST(SourceRateLimiter, ZeroRateDisablesTheLimit) {
  SourceRateLimiter limiter(0, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.admit("a", SteadyTime{}));
}

TEST(SourceRateLimiter, IdleSourcesAreForgotten) {
  SourceRateLimiter limiter(10, 2);
  SteadyTime t{};
  t += std::chrono::hours(1);
  for (int i = 0; i < 100; ++i) (void)limiter.admit("src" + std::to_string(i), t);
  EXPECT_EQ(limiter.tracked_sources(), 100u);
  (void)limiter.admit("late", t + std::chrono::seconds(5));
  EXPECT_EQ(limiter.tracked_sources(), 1u);
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
