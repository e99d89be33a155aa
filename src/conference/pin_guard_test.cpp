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

}  // namespace
}  // namespace confpro::conference
