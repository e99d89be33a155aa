// Conference claims (store.h, issue 18) on SQLite and PostgreSQL: one node hosts a conference until its claim
// expires; the first of many simultaneous claimers wins.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <set>
#include <thread>

#include "store/store.h"
#include "store/test_support.h"

namespace confpro::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kClaimT0 = from_epoch_ms(1'800'000'000'000);
const milliseconds kTtl = seconds(30);

ConferenceClaim claim_of(const std::string& node, const std::string& number = "734912") {
  return ConferenceClaim{number, BookingId{7}, node, "sip:" + node + ".example.net:5060", {}, {}, {}};
}

class ClaimsTest : public testing::BackendTest {};

INSTANTIATE_TEST_SUITE_P(Backends, ClaimsTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });

TEST_P(ClaimsTest, TheFirstClaimerOwnsTheConferenceAndTheOthersReadItsNode) {
  auto a = store_->claim_conference(claim_of("node-a"), kClaimT0, kTtl).value();
  EXPECT_EQ(a.node, "node-a");
  EXPECT_EQ(a.sip_uri, "sip:node-a.example.net:5060");
  EXPECT_EQ(a.booking, BookingId{7});
  EXPECT_EQ(a.claimed_at, kClaimT0);
  EXPECT_EQ(a.expires_at, kClaimT0 + kTtl);

  auto b = store_->claim_conference(claim_of("node-b"), kClaimT0 + seconds(1), kTtl).value();
  EXPECT_EQ(b, a) << "a live claim of another node is left as it is";
  auto owner = store_->conference_owner("734912", kClaimT0 + seconds(2)).value();
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->node, "node-a");
  EXPECT_FALSE(store_->conference_owner("999999", kClaimT0).value()) << "nobody claimed it";
}

TEST_P(ClaimsTest, ClaimingAgainRenewsOnesOwnClaimAndKeepsWhenItWasTaken) {
  store_->claim_conference(claim_of("node-a"), kClaimT0, kTtl).value();
  auto again = store_->claim_conference(claim_of("node-a"), kClaimT0 + seconds(20), kTtl).value();
  EXPECT_EQ(again.node, "node-a");
  EXPECT_EQ(again.claimed_at, kClaimT0);
  EXPECT_EQ(again.renewed_at, kClaimT0 + seconds(20));
  EXPECT_EQ(again.expires_at, kClaimT0 + seconds(50));
}

TEST_P(ClaimsTest, AnExpiredClaimIsTakenOverByTheNextClaimer) {
  store_->claim_conference(claim_of("node-a"), kClaimT0, kTtl).value();
  EXPECT_FALSE(store_->conference_owner("734912", kClaimT0 + kTtl).value()) << "expired at expires_at";
  auto b = store_->claim_conference(claim_of("node-b"), kClaimT0 + kTtl, kTtl).value();
  EXPECT_EQ(b.node, "node-b");
  EXPECT_EQ(b.sip_uri, "sip:node-b.example.net:5060");
  EXPECT_EQ(b.claimed_at, kClaimT0 + kTtl);
  EXPECT_EQ(b.expires_at, kClaimT0 + 2 * kTtl);
  // node-a comes back: its renewal no longer touches the conference node-b took over.
  EXPECT_EQ(store_->renew_claims("node-a", kClaimT0 + kTtl + seconds(1), kTtl).value(), 0);
  EXPECT_EQ(store_->conference_owner("734912", kClaimT0 + kTtl + seconds(2)).value()->node, "node-b");
}

TEST_P(ClaimsTest, RenewingMovesTheExpiryOfEveryClaimOfTheNodeOnly) {
  store_->claim_conference(claim_of("node-a", "111111"), kClaimT0, kTtl).value();
  store_->claim_conference(claim_of("node-a", "222222"), kClaimT0, kTtl).value();
  store_->claim_conference(claim_of("node-b", "333333"), kClaimT0, kTtl).value();
  EXPECT_EQ(store_->renew_claims("node-a", kClaimT0 + seconds(25), kTtl).value(), 2);
  const TimePoint later = kClaimT0 + seconds(40);  // node-b's claim expired, node-a's were renewed
  EXPECT_EQ(store_->conference_owner("111111", later).value()->expires_at, kClaimT0 + seconds(55));
  EXPECT_TRUE(store_->conference_owner("222222", later).value());
  EXPECT_FALSE(store_->conference_owner("333333", later).value());
}

TEST_P(ClaimsTest, ReleasingFreesTheConferenceOnlyForItsOwner) {
  store_->claim_conference(claim_of("node-a"), kClaimT0, kTtl).value();
  ASSERT_TRUE(store_->release_claim("734912", "node-b").ok()) << "not node-b's: nothing to give back";
  EXPECT_EQ(store_->conference_owner("734912", kClaimT0).value()->node, "node-a");
  ASSERT_TRUE(store_->release_claim("734912", "node-a").ok());
  EXPECT_FALSE(store_->conference_owner("734912", kClaimT0).value());
  auto b = store_->claim_conference(claim_of("node-b"), kClaimT0 + seconds(1), kTtl).value();
  EXPECT_EQ(b.node, "node-b") << "released: the next claimer gets it at once";
}

TEST_P(ClaimsTest, AClaimWithoutNumberNodeOrTtlIsRefused) {
  EXPECT_EQ(store_->claim_conference(claim_of(""), kClaimT0, kTtl).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->claim_conference(claim_of("node-a", ""), kClaimT0, kTtl).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->claim_conference(claim_of("node-a"), kClaimT0, milliseconds(0)).error().code,
            ErrorCode::kInvalidArgument);
}

// Issue 18's target: 200 simultaneous first joins of one conference on 200 nodes' connections → exactly one
// owner. Each claimer is a thread with its own store (its own connection), released together by a barrier.
void expect_one_owner_among(const std::string& url, int claimers, bool expired_before) {
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < claimers; ++i) {
    auto s = open_store(url, 1);
    ASSERT_TRUE(s.ok()) << "claimer " << i << ": " << s.error().message;
    stores.push_back(std::move(*s));
  }
  if (expired_before) {
    ASSERT_TRUE(stores[0]->claim_conference(claim_of("dead-node"), kClaimT0 - kTtl, kTtl).ok());
  }
  std::barrier start(claimers);
  std::vector<std::string> owners(static_cast<size_t>(claimers));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < claimers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto got = stores[static_cast<size_t>(i)]->claim_conference(claim_of("node-" + std::to_string(i)),
                                                                  kClaimT0, kTtl);
      if (!got.ok()) {
        ++failures;
        return;
      }
      owners[static_cast<size_t>(i)] = got->node;
    });
  }
  for (auto& t : threads) t.join();
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_EQ(failures.load(), 0);
  std::set<std::string> distinct(owners.begin(), owners.end());
  ASSERT_EQ(distinct.size(), 1u) << "every claimer reads the same owner";
  const std::string winner = *distinct.begin();
  EXPECT_NE(winner, "dead-node");
  int winners = 0;
  for (int i = 0; i < claimers; ++i) winners += owners[static_cast<size_t>(i)] == "node-" + std::to_string(i);
  EXPECT_EQ(winners, 1) << "exactly one claimer got it";
  EXPECT_LT(took, seconds(30));
  std::cout << claimers << " simultaneous claimers" << (expired_before ? " of an expired claim" : "")
            << ": owner " << winner << " in " << std::chrono::duration_cast<milliseconds>(took).count()
            << " ms\n";
}

// A fresh migrated PostgreSQL database's URL; "" when no server is configured.
std::string migrated_pg_claims_url() {
  std::string url = testing::fresh_pg_database_url();
  if (url.empty()) return url;
  auto s = open_store(url, 1);
  EXPECT_TRUE(s.ok() && (*s)->migrate().ok());
  return url;
}

// One test, not two: each round holds 201 connections, and two rounds at once (ctest -j) would exceed the
// test cluster's max_connections (300, tests/pg_cluster.sh).
TEST(ClaimsConcurrency,
     TwoHundredSimultaneousClaimersOnPostgresqlMakeExactlyOneOwnerOfAFreeOrAnExpiredClaim) {
  std::string url = migrated_pg_claims_url();
  if (url.empty()) GTEST_SKIP() << "no PostgreSQL: set CONFPRO_TEST_PG_URL or run through ctest";
  expect_one_owner_among(url, 200, false);
  std::string again = migrated_pg_claims_url();
  expect_one_owner_among(again, 200, true);
}

TEST(ClaimsConcurrency, FiftySimultaneousFirstJoinsOnSqliteMakeExactlyOneOwner) {
  testing::TempDir dir;
  ASSERT_TRUE(testing::open_migrated(dir.path() / "claims.db"));
  expect_one_owner_among("sqlite://" + (dir.path() / "claims.db").string(), 50, false);
}

}  // namespace
}  // namespace confpro::store
