// Billing accounts and the ledger (issue 16 P2) on SQLite and PostgreSQL: the balance is the sum of the lines,
// a reservation is checked inside the booking's transaction, deletion releases the hold.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store.h"
#include "store/test_support.h"

namespace confpro::store {
namespace {

using testing::sample_booking;
using testing::TempDir;

const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);

class LedgerTest : public testing::BackendTest {
 protected:
  void open_account(const std::string& name, std::int64_t credit, bool prepaid = true, std::int64_t limit = 0) {
    BillingAccount a{0, name, "alice", prepaid, limit, "EUR", kT0};
    LedgerEntry opening{0, name, kT0, "credit", credit, 0, {}, "admin", "opening credit"};
    ASSERT_TRUE(store_->insert_account(a, opening).ok());
  }
  static SideEffects hold(const std::string& account, std::int64_t amount) {
    SideEffects fx;
    fx.ledger.push_back(LedgerEntry{0, account, kT0, "reserve", 0, amount, {}, "alice", "booking"});
    return fx;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, LedgerTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& backend) { return backend.param; });

TEST_P(LedgerTest, AnAccountsMembersAreStoredAndReplacedWithTheirAuditLine) {
  BillingAccount a{0, "pool", "alice", true, 0, "EUR", kT0, {"bob", "cn=sales,ou=groups,dc=example,dc=org"}};
  ASSERT_TRUE(store_->insert_account(a, {}).ok());
  EXPECT_EQ(store_->get_account("pool")->account.members, a.members);
  AuditEntry audit{0, kT0, "root", "account.members", "account:pool", "carol", "web"};
  ASSERT_TRUE(store_->set_account_members("pool", {"carol"}, audit).ok());
  EXPECT_EQ(store_->list_accounts()->front().account.members, std::vector<std::string>{"carol"});
  EXPECT_EQ(store_->list_audit({})->items.front().action, "account.members");
  ASSERT_TRUE(store_->set_account_members("pool", {}, audit).ok());
  EXPECT_TRUE(store_->get_account("pool")->account.members.empty());
  EXPECT_EQ(store_->set_account_members("ghost", {"x"}, audit).error().code, ErrorCode::kNotFound);
}

TEST_P(LedgerTest, ABookingHoldsCreditAndOneOverTheCreditIsRefusedWithoutAPartialWrite) {
  open_account("acme", 1000);
  EXPECT_EQ(store_->insert_account(BillingAccount{0, "acme", "bob", true, 0, "EUR", kT0}, {}).error().code,
            ErrorCode::kAlreadyExists);
  auto first = store_->insert_booking(sample_booking("A", "734912", kT0), hold("acme", 600));
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto acme = store_->get_account("acme").value();
  EXPECT_EQ(acme.balance, 1000);
  EXPECT_EQ(acme.held, 600);
  EXPECT_EQ(acme.available(), 400);

  auto second = store_->insert_booking(sample_booking("B", "734913", kT0), hold("acme", 500));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(second.error().message, "insufficient credit on account 'acme': 5.00 needed, 4.00 available (1.00 missing)");
  EXPECT_EQ(second.error().reason, "insufficient_credit");
  EXPECT_EQ(store_->find_booking_by_number("734913").error().code, ErrorCode::kNotFound) << "a partial write";
  EXPECT_EQ(store_->get_account("acme")->held, 600);

  auto holds = store_->holds_of(first->id).value();
  ASSERT_EQ(holds.size(), 1u);
  EXPECT_EQ(holds[0], std::make_pair(std::string("acme"), std::int64_t{600}));
  ASSERT_TRUE(store_->delete_booking(first->id, {kT0, "alice"}, {}).ok());
  EXPECT_EQ(store_->get_account("acme")->held, 0) << "deleting a booking releases its hold";
  EXPECT_TRUE(store_->holds_of(first->id)->empty());
  auto of_booking = store_->ledger_of_booking(first->id).value();  // the CDR files' source, oldest first
  ASSERT_EQ(of_booking.size(), 2u);
  EXPECT_EQ(of_booking[0].kind, "reserve");
  EXPECT_EQ(of_booking[0].account, "acme");
  EXPECT_EQ(of_booking[1].kind, "release");
  EXPECT_TRUE(store_->ledger_of_booking(BookingId{999})->empty());
  auto lines = store_->list_ledger("acme", 10).value();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].kind, "release");
  EXPECT_EQ(lines[0].hold, -600);
  EXPECT_EQ(lines[0].booking, first->id);
  EXPECT_EQ(lines[2].kind, "credit");

  EXPECT_EQ(store_->insert_booking(sample_booking("C", "734914", kT0), hold("nobody", 1)).error().code,
            ErrorCode::kNotFound);
}

TEST_P(LedgerTest, PostpaidGoesDownToItsLimitAndAdjustmentsAreAudited) {
  open_account("post", 0, false, 2000);
  ASSERT_TRUE(store_->insert_booking(sample_booking("A", "734912", kT0), hold("post", 1500)).ok());
  EXPECT_EQ(store_->insert_booking(sample_booking("B", "734913", kT0), hold("post", 600)).error().code,
            ErrorCode::kResourceExhausted);
  AuditEntry audit{0, kT0, "root", "account.adjust", "account:post", "top-up", "cli"};
  ASSERT_TRUE(store_->append_ledger(LedgerEntry{0, "post", kT0, "adjust", 500, 0, {}, "root", "top-up"}, audit).ok());
  EXPECT_TRUE(store_->insert_booking(sample_booking("B", "734913", kT0), hold("post", 600)).ok());
  auto post = store_->get_account("post").value();
  EXPECT_EQ(post.balance, 500);
  EXPECT_EQ(post.held, 2100);
  EXPECT_EQ(post.available(), 400);
  EXPECT_EQ(store_->append_ledger(LedgerEntry{0, "ghost", kT0, "adjust", 1, 0, {}, "root", ""}, audit).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->list_accounts()->size(), 1u);
}

// Issue 16 item 5: the statement is paged newest first; revenue comes from the capture lines in a range, with
// the booking's owner and its connection time per access number.
TEST_P(LedgerTest, StatementPagesAndCapturesCarryOwnerAndAccessNumberTime) {
  open_account("acme", 5000);
  auto b = store_->insert_booking(sample_booking("A", "734912", kT0), hold("acme", 600)).value();
  ConferenceSession s;
  s.booking = b.id;
  s.number = b.number;
  s.opened_at = kT0;
  s = store_->open_session(s).value();
  for (auto [access, minutes] : {std::pair<const char*, int>{"0800300300", 30}, {"3001", 10}, {"0800300300", 20}}) {
    ParticipantConnection c;
    c.session = s.id;
    c.booking = b.id;
    c.caller_number = "+33100000000";
    c.access_number = access;
    c.call_ref = std::string("call-") + access + std::to_string(minutes);
    c.joined_at = kT0;
    c = store_->start_connection(c).value();
    ASSERT_TRUE(store_->end_connection(c.id, kT0 + std::chrono::minutes(minutes), "hangup", 0, 0, 0).ok());
  }
  SideEffects fx;
  fx.ledger.push_back(LedgerEntry{0, "acme", kT0 + std::chrono::hours(1), "capture", -600, -600, b.id, "system", "held"});
  ASSERT_TRUE(store_->update_booking(b, b.version, fx).ok());

  auto page = store_->list_ledger("acme", 2, 1).value();
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].kind, "reserve");
  EXPECT_EQ(page[1].kind, "credit");
  EXPECT_TRUE(store_->list_ledger("acme", 2, 3)->empty());

  auto caps = store_->list_captures(kT0, kT0 + std::chrono::hours(2)).value();
  ASSERT_EQ(caps.size(), 1u);
  EXPECT_EQ(caps[0].entry.amount, -600);
  EXPECT_EQ(caps[0].owner, "alice");
  EXPECT_EQ(caps[0].currency, "EUR");
  std::vector<std::pair<std::string, std::int64_t>> want{{"0800300300", 50 * 60'000}, {"3001", 10 * 60'000}};
  EXPECT_EQ(caps[0].access_ms, want);
  EXPECT_TRUE(store_->list_captures(kT0 + std::chrono::hours(2), kT0 + std::chrono::hours(3))->empty());
}

// Issue 16's target: 100 concurrent bookings against credit for 10 → exactly 10 pass.
TEST_P(LedgerTest, HundredConcurrentBookingsAgainstCreditForTenExactlyTenPass) {
  open_account("race", 1000);
  std::atomic<int> passed{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 100; i += 4) {
        auto r = store_->insert_booking(sample_booking("R" + std::to_string(i), std::to_string(500000 + i), kT0),
                                        hold("race", 100));
        if (r.ok()) ++passed;
        else if (r.error().code == ErrorCode::kResourceExhausted) ++refused;
        else ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(passed.load(), 10);
  EXPECT_EQ(refused.load() + other.load(), 90);
  auto race = store_->get_account("race").value();
  EXPECT_EQ(race.held, 1000);
  EXPECT_EQ(race.available(), 0);
}

}  // namespace
}  // namespace confpro::store
