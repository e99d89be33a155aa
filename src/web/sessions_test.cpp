#include "web/sessions.h"

#include <gtest/gtest.h>

namespace confpro::web {
namespace {

const TimePoint kT0 = from_epoch_ms(1'700'000'000'000);

TEST(SessionTable, EachLoginGetsANewRandomIdAndCsrfToken) {
  SessionTable table(std::chrono::minutes(30));
  auto a = table.create({"alice", "Alice", "organizer"}, kT0);
  auto b = table.create({"alice", "Alice", "organizer"}, kT0);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.csrf_token, b.csrf_token);
  EXPECT_NE(a.id, a.csrf_token);
  EXPECT_EQ(a.id.size(), 64u);
}

TEST(SessionTable, IdleSessionExpires) {
  SessionTable table(std::chrono::minutes(30));
  auto s = table.create({"alice", "Alice", "organizer"}, kT0);
  EXPECT_TRUE(table.touch(s.id, kT0 + std::chrono::minutes(29)).has_value());
  EXPECT_TRUE(table.touch(s.id, kT0 + std::chrono::minutes(58)).has_value());  // touched at 29 → alive
  EXPECT_FALSE(table.touch(s.id, kT0 + std::chrono::minutes(89)).has_value());
  EXPECT_EQ(table.size(), 0u);
}

TEST(SessionTable, UnknownAndRemovedIdsAreRefused) {
  SessionTable table(std::chrono::minutes(30));
  EXPECT_FALSE(table.touch("", kT0));
  EXPECT_FALSE(table.touch("nope", kT0));
  auto s = table.create({"bob", "Bob", "admin"}, kT0);
  table.remove(s.id);
  EXPECT_FALSE(table.touch(s.id, kT0));
}

TEST(SessionTable, AliveOnlyForLiveIdsWithoutTouchingThem) {
  SessionTable t(std::chrono::minutes(30));
  auto s = t.create({"alice", "", "organizer"}, kT0);
  EXPECT_TRUE(t.alive(s.id, kT0 + std::chrono::minutes(20)));
  EXPECT_FALSE(t.alive("", kT0));
  EXPECT_TRUE(t.alive(s.id, kT0 + std::chrono::minutes(30)));  // alive() did not restart the idle clock…
  EXPECT_FALSE(t.alive(s.id, kT0 + std::chrono::minutes(31)));  // …so it expires 30 min after the login
  EXPECT_EQ(t.size(), 0u);
  auto r = t.create({"alice", "", "organizer"}, kT0);
  t.remove(r.id);
  EXPECT_FALSE(t.alive(r.id, kT0));
}

TEST(SessionTable, LoggingInPastThePerUserCapEndsThatUsersFirstSession) {
  SessionTable table(std::chrono::minutes(30), 2);
  auto a1 = table.create({"alice", "", "organizer"}, kT0);
  auto b1 = table.create({"bob", "", "organizer"}, kT0);
  auto a2 = table.create({"alice", "", "organizer"}, kT0 + std::chrono::seconds(1));
  table.touch(a1.id, kT0 + std::chrono::seconds(2));  // recent use does not save the first one
  auto a3 = table.create({"alice", "", "organizer"}, kT0 + std::chrono::seconds(3));
  EXPECT_FALSE(table.alive(a1.id, kT0 + std::chrono::seconds(4)));
  EXPECT_TRUE(table.alive(a2.id, kT0 + std::chrono::seconds(4)));
  EXPECT_TRUE(table.alive(a3.id, kT0 + std::chrono::seconds(4)));
  EXPECT_TRUE(table.alive(b1.id, kT0 + std::chrono::seconds(4)));  // another user's session is untouched
  EXPECT_EQ(table.size(), 3u);
}

TEST(SessionTable, RemoveUserEndsAllItsSessions) {
  SessionTable table(std::chrono::minutes(30));
  auto a = table.create({"alice", "", "organizer"}, kT0);
  auto b = table.create({"alice", "", "organizer"}, kT0);
  auto c = table.create({"carol", "", "organizer"}, kT0);
  table.remove_user("alice");
  EXPECT_FALSE(table.touch(a.id, kT0));
  EXPECT_FALSE(table.touch(b.id, kT0));
  EXPECT_TRUE(table.touch(c.id, kT0));
}

TEST(SessionTable, FullTableDropsTheLeastRecentlyUsed) {
  SessionTable table(std::chrono::minutes(30), 10, 2);
  auto a = table.create({"a", "", "organizer"}, kT0);
  auto b = table.create({"b", "", "organizer"}, kT0 + std::chrono::seconds(1));
  table.touch(a.id, kT0 + std::chrono::seconds(2));
  auto c = table.create({"c", "", "organizer"}, kT0 + std::chrono::seconds(3));
  EXPECT_TRUE(table.touch(a.id, kT0 + std::chrono::seconds(4)));
  EXPECT_FALSE(table.touch(b.id, kT0 + std::chrono::seconds(4)));
  EXPECT_TRUE(table.touch(c.id, kT0 + std::chrono::seconds(4)));
}

TEST(LoginThrottle, BlocksAfterMaxFailuresInTheWindow) {
  LoginThrottle t({3, std::chrono::minutes(10), std::chrono::minutes(15)});
  t.record_failure("alice", kT0);
  t.record_failure("alice", kT0 + std::chrono::minutes(1));
  EXPECT_FALSE(t.blocked_for("alice", kT0 + std::chrono::minutes(1)));
  t.record_failure("alice", kT0 + std::chrono::minutes(2));
  auto wait = t.blocked_for("alice", kT0 + std::chrono::minutes(3));
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, std::chrono::minutes(14));
  EXPECT_FALSE(t.blocked_for("bob", kT0 + std::chrono::minutes(3)));
  EXPECT_FALSE(t.blocked_for("alice", kT0 + std::chrono::minutes(18)));
}

TEST(LoginThrottle, ASprayOfOtherNamesDoesNotLiftABlock) {
  LoginThrottle t({3, std::chrono::minutes(15), std::chrono::minutes(15)});
  for (int i = 0; i < 3; ++i) t.record_failure("alice", kT0);
  ASSERT_TRUE(t.blocked_for("alice", kT0));
  for (int i = 0; i < 100100; ++i) t.record_failure("spray" + std::to_string(i), kT0);
  EXPECT_TRUE(t.blocked_for("alice", kT0));
}

TEST(LoginThrottle, FailuresOutsideTheWindowDoNotCount) {
  LoginThrottle t({3, std::chrono::minutes(10), std::chrono::minutes(15)});
  t.record_failure("alice", kT0);
  t.record_failure("alice", kT0 + std::chrono::minutes(1));
  t.record_failure("alice", kT0 + std::chrono::minutes(20));
  EXPECT_FALSE(t.blocked_for("alice", kT0 + std::chrono::minutes(20)));
}

TEST(LoginThrottle, SuccessClearsFailures) {
  LoginThrottle t({2, std::chrono::minutes(10), std::chrono::minutes(15)});
  t.record_failure("alice", kT0);
  t.record_success("alice");
  t.record_failure("alice", kT0);
  EXPECT_FALSE(t.blocked_for("alice", kT0));
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "x"));
}

}  // namespace
}  // namespace confpro::web
