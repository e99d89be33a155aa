#include "web/sessions.h"

#include <gtest/gtest.h>

#include <vector>

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

// The back-offs of LoginThrottle with 3 free failures: 1 s after the 3rd failure, doubling, at most 60 s.
LoginThrottle throttle3() {
  return LoginThrottle({3, std::chrono::minutes(10), std::chrono::seconds(1), std::chrono::seconds(60)});
}

TEST(LoginThrottle, AnAddressBacksOffOnAnAccountAfterItsFreeFailuresDoublingToTheCap) {
  auto t = throttle3();
  const std::string a = "10.0.0.2";
  t.record_failure("alice", a, kT0);
  t.record_failure("alice", a, kT0);
  EXPECT_FALSE(t.wait("alice", a, kT0));
  auto now = kT0;
  std::vector<Millis> waits;
  for (int i = 0; i < 10; ++i) {
    t.record_failure("alice", a, now);
    auto wait = t.wait("alice", a, now);
    ASSERT_TRUE(wait);
    waits.push_back(*wait);
    now += *wait;
    EXPECT_FALSE(t.wait("alice", a, now));  // each back-off ends: never a ban
  }
  using std::chrono::seconds;
  EXPECT_EQ(waits, (std::vector<Millis>{seconds(1), seconds(2), seconds(4), seconds(8), seconds(16),
                                        seconds(32), seconds(60), seconds(60), seconds(60), seconds(60)}));
}

TEST(LoginThrottle, TheOwnerAtAnAddressWithoutFailuresIsNeverHeldBack) {
  auto t = throttle3();
  // One attacker address, then a hundred of them, all on alice.
  for (int i = 0; i < 50; ++i) t.record_failure("alice", "10.0.0.2", kT0);
  for (int i = 0; i < 100; ++i) t.record_failure("alice", "10.1.0." + std::to_string(i), kT0);
  EXPECT_TRUE(t.wait("alice", "10.0.0.2", kT0));
  EXPECT_FALSE(t.wait("alice", "127.0.0.1", kT0));  // the owner
  EXPECT_FALSE(t.wait("bob", "10.1.0.7", kT0));     // another account from an address with one failure
  // An account attacked from many addresses: each of them (one failure on it so far) waits too.
  auto wait = t.wait("alice", "10.1.0.7", kT0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, std::chrono::seconds(60));
}

TEST(LoginThrottle, AnAddressSprayingManyAccountsBacksOff) {
  auto t = throttle3();
  for (int i = 0; i < 11; ++i) t.record_failure("user" + std::to_string(i), "10.0.0.9", kT0);
  EXPECT_FALSE(t.wait("root", "10.0.0.9", kT0));  // 11 < 4 × 3
  t.record_failure("user11", "10.0.0.9", kT0);
  EXPECT_TRUE(t.wait("root", "10.0.0.9", kT0));
  EXPECT_FALSE(t.wait("root", "10.0.0.10", kT0));
}

TEST(LoginThrottle, FailuresAreForgottenAfterTheirBackOff) {
  auto t = throttle3();
  for (int i = 0; i < 4; ++i) t.record_failure("alice", "a", kT0);  // back-off 2 s
  EXPECT_TRUE(t.wait("alice", "a", kT0 + std::chrono::seconds(1)));
  const auto later = kT0 + std::chrono::seconds(2) + std::chrono::minutes(10);
  t.record_failure("alice", "a", later);  // the count starts again
  EXPECT_FALSE(t.wait("alice", "a", later));
}

TEST(LoginThrottle, SuccessClearsTheAccountButNotTheAddress) {
  auto t = throttle3();
  for (int i = 0; i < 3; ++i) t.record_failure("alice", "a", kT0);
  for (int i = 0; i < 9; ++i) t.record_failure("x" + std::to_string(i), "a", kT0);
  t.record_success("alice", "a");
  EXPECT_FALSE(t.wait("alice", "b", kT0));
  t.record_failure("y", "a", kT0);  // the address's 13th failure: still counted
  EXPECT_TRUE(t.wait("alice", "a", kT0));
}

TEST(LoginThrottle, ASprayOfOtherNamesDoesNotLiftABackOff) {
  auto t = throttle3();
  for (int i = 0; i < 5; ++i) t.record_failure("alice", "a", kT0);
  ASSERT_TRUE(t.wait("alice", "a", kT0));
  for (int i = 0; i < 100100; ++i)
    t.record_failure("spray" + std::to_string(i), "b" + std::to_string(i % 7), kT0);
  EXPECT_TRUE(t.wait("alice", "a", kT0));
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "x"));
}

}  // namespace
}  // namespace confpro::web
