// Unit tests of the RADIUS coupling's decisions and of its accounting, with a RADIUS client double (the real
// FreeRADIUS is in tests/billing/radius_test.sh).
#include "billing/radius_billing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "billing/radius_accounting.h"
#include "store/test_support.h"

namespace confpro::billing {
namespace {

using namespace std::chrono_literals;

class FakeRadius final : public RadiusClient {
 public:
  AccessAnswer answer;
  std::mutex mutex;
  std::vector<AccountingRecord> records;
  int asked = 0;
  AccessAnswer authorize(const std::string&, const std::string&) override {
    ++asked;
    return answer;
  }
  Status account(const AccountingRecord& r) override {
    std::lock_guard lock(mutex);
    records.push_back(r);
    return {};
  }
  std::vector<AccountingRecord> seen() {
    std::lock_guard lock(mutex);
    return records;
  }
};

class FakeControl final : public conference::ControlApi {
 public:
  Subscriber subscriber;
  std::vector<conference::LiveConference> live_conferences() override { return {}; }
  std::optional<conference::LiveConference> live_conference(BookingId) override { return std::nullopt; }
  Status set_muted(BookingId, ParticipantId, bool, const std::string&) override { return {}; }
  Status eject(BookingId, ParticipantId, const std::string&) override { return {}; }
  Status set_locked(BookingId, bool, const std::string&) override { return {}; }
  Status end_conference(BookingId, const std::string&) override { return {}; }
  Result<conference::InviteResult> invite_by_number(BookingId, const std::string&,
                                                    const std::string&) override {
    return Error::internal("unused");
  }
  SubscriptionId subscribe(Subscriber s) override {
    subscriber = std::move(s);
    return 1;
  }
  void unsubscribe(SubscriptionId) override {}
};

class RadiusBillingTest : public ::testing::Test {
 protected:
  RadiusBillingTest() : store_(store::testing::open_migrated(dir_.path() / "t.db")) {}
  AccessAnswer accept(std::optional<long long> timeout) {
    AccessAnswer a;
    a.kind = AccessAnswer::Kind::kAccept;
    a.session_timeout_s = timeout;
    return a;
  }
  domain::Booking booking() {
    return store::testing::sample_booking("Weekly", "123456", clock_.now());  // 60 minutes
  }

  // The sample booking authorized for acct-42 and stored with its RADIUS line, as the hook writes it.
  Result<domain::Booking> billed_booking() {
    radius_.answer = accept(7200);
    RadiusAuthorizer authorizer(radius_, *store_, false);
    auto line = authorizer.authorize_account(actor_, "acct-42", booking(), clock_.now());
    if (!line.ok()) return line.error();
    store::SideEffects effects;
    effects.audit.push_back(*line);
    return store_->insert_booking(booking(), effects);
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  ManualClock clock_{from_epoch_ms(1'800'000'000'000)};
  FakeRadius radius_;
  booking::Actor actor_{"alice", false, "cli"};
};

TEST_F(RadiusBillingTest, AcceptCoveringTheDurationAllowsAndRecordsTheAccount) {
  radius_.answer = accept(7200);
  RadiusAuthorizer authorizer(radius_, *store_, false);
  auto line = authorizer.authorize_account(actor_, "acct-42", booking(), clock_.now());
  ASSERT_TRUE(line.ok()) << line.error().message;
  store::SideEffects effects;
  effects.audit.push_back(*line);
  auto stored = store_->insert_booking(booking(), effects);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  auto account = radius_account_of(*store_, *stored);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->value_or(""), "acct-42");
}

TEST_F(RadiusBillingTest, ALongerBookingIsAuthorizedAgainAndAShorterOneAsksNothing) {
  auto stored = billed_booking();
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  RadiusAuthorizer authorizer(radius_, *store_, false);
  EXPECT_TRUE(authorizer.bills(*stored).value());
  domain::Booking other = booking();
  other.id = BookingId{stored->id.value() + 1};
  EXPECT_FALSE(authorizer.bills(other).value());  // no line: not billed through RADIUS
  radius_.asked = 0;

  domain::Booking shorter = *stored;
  shorter.duration_minutes = 30;
  auto none = authorizer.reauthorize(actor_, *stored, shorter, clock_.now());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->line.has_value());
  EXPECT_EQ(radius_.asked, 0);

  domain::Booking longer = *stored;
  longer.duration_minutes = 100;
  radius_.answer = accept(3600);  // an hour left
  auto refused = authorizer.reauthorize(actor_, *stored, longer, clock_.now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, "insufficient_credit");
  EXPECT_NE(refused.error().message.find("grants 60 minutes, the booking needs 100"), std::string::npos)
      << refused.error().message;

  radius_.answer = accept(7200);
  auto again = authorizer.reauthorize(actor_, *stored, longer, clock_.now());
  ASSERT_TRUE(again.ok()) << again.error().message;
  ASSERT_TRUE(again->line.has_value());
  EXPECT_EQ(again->line->action, kRadiusAuthorizeAction);
  EXPECT_EQ(again->line->target, "booking:" + std::to_string(stored->id.value()));
  EXPECT_EQ(again->line->details, "account=acct-42 granted=7200s");
  EXPECT_EQ(radius_.asked, 2);

  domain::Booking elsewhere = *stored;  // the same length through another access number: asked again
  elsewhere.access_number = "0800300300";
  ASSERT_TRUE(authorizer.reauthorize(actor_, *stored, elsewhere, clock_.now()).ok());
  EXPECT_EQ(radius_.asked, 3);
}

TEST_F(RadiusBillingTest, NoTimeLimitSentAllows) {
  radius_.answer = accept(std::nullopt);
  RadiusAuthorizer authorizer(radius_, *store_, false);
  EXPECT_TRUE(authorizer.authorize_account(actor_, "acct-42", booking(), clock_.now()).ok());
}

TEST_F(RadiusBillingTest, TheSmallerOfSessionTimeoutAndCreditTimeIsGranted) {
  radius_.answer = accept(7200);
  radius_.answer.credit_time_s = 1800;
  RadiusAuthorizer authorizer(radius_, *store_, false);
  auto line = authorizer.authorize_account(actor_, "acct-42", booking(), clock_.now());
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().reason, "insufficient_credit");
  EXPECT_EQ(std::get<std::int64_t>(line.error().params.at("granted_minutes")), 30);
}

TEST_F(RadiusBillingTest, LessThanTheDurationIsInsufficientCreditNamingTheMinutes) {
  radius_.answer = accept(600);
  RadiusAuthorizer authorizer(radius_, *store_, false);
  auto line = authorizer.authorize_account(actor_, "acct-42", booking(), clock_.now());
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(line.error().reason, "insufficient_credit");
  EXPECT_NE(line.error().message.find("grants 10 minutes, the booking needs 60"), std::string::npos)
      << line.error().message;
}

TEST_F(RadiusBillingTest, RejectIsBillingRefusedWithTheServersMessage) {
  radius_.answer.kind = AccessAnswer::Kind::kReject;
  radius_.answer.message = "account suspended";
  RadiusAuthorizer authorizer(radius_, *store_, true);
  auto line = authorizer.authorize_account(actor_, "acct-42", booking(), clock_.now());
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(line.error().reason, "billing_refused");
  EXPECT_EQ(line.error().message, "billing refused for account 'acct-42': account suspended");
}

TEST_F(RadiusBillingTest, UnavailableFailsClosedForPrepaidAndOpenForPostpaidWhenAllowed) {
  radius_.answer.kind = AccessAnswer::Kind::kUnavailable;
  radius_.answer.message = "no answer from 127.0.0.1:1";
  store::BillingAccount postpaid;
  postpaid.name = "post";
  postpaid.owner = "alice";
  postpaid.prepaid = false;
  ASSERT_TRUE(store_->insert_account(postpaid, {}).ok());
  RadiusAuthorizer closed(radius_, *store_, false);
  RadiusAuthorizer open(radius_, *store_, true);
  for (const char* account : {"acct-42", "post"}) {
    auto refused = closed.authorize_account(actor_, account, booking(), clock_.now());
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(refused.error().reason, "billing_unavailable");
  }
  EXPECT_FALSE(open.authorize_account(actor_, "acct-42", booking(), clock_.now()).ok());  // prepaid: closed
  EXPECT_TRUE(open.authorize_account(actor_, "post", booking(), clock_.now()).ok());
}

TEST_F(RadiusBillingTest, AccountingStartsAndStopsTheConferenceAndEachLeg) {
  auto stored = billed_booking();
  ASSERT_TRUE(stored.ok());
  auto unbilled = store_->insert_booking(store::testing::sample_booking("Free", "654321", clock_.now()), {});
  ASSERT_TRUE(unbilled.ok());

  FakeControl control;
  RadiusAccounting accounting(radius_, *store_, control, clock_, {});
  const TimePoint t0 = clock_.now();
  auto event = [&](const char* type, BookingId id, std::uint64_t who, TimePoint at) {
    conference::ConferenceEvent e;
    e.type = type;
    e.booking = id;
    e.at = at;
    if (who) {
      conference::LiveParticipant p;
      p.id = ParticipantId{who};
      p.caller_number = "0601020304";
      p.access_number = "3000";
      e.participant = p;
    }
    control.subscriber(e);
  };
  event("joined", stored->id, 7, t0);  // waiting before the opening: its leg starts with the conference
  event("opened", stored->id, 0, t0 + 1s);
  event("joined", stored->id, 8, t0 + 2s);
  event("opened", unbilled->id, 0, t0);
  event("left", stored->id, 8, t0 + 62s);
  event("ended", stored->id, 0, t0 + 121s);
  event("left", stored->id, 7, t0 + 125s);
  accounting.stop();

  auto r = radius_.seen();
  ASSERT_EQ(r.size(), 6u);
  const std::string session = "node1-" + std::to_string(stored->id.value()) + "-1800000001";
  EXPECT_EQ(r[0].status, AccountingRecord::Status::kStart);
  EXPECT_EQ(r[0].session_id, session);
  EXPECT_EQ(r[0].user_name, "acct-42");
  EXPECT_EQ(r[1].session_id, session + "-p7");
  EXPECT_EQ(r[1].multi_session_id, session);
  EXPECT_EQ(r[1].calling_station, "0601020304");
  EXPECT_EQ(r[1].called_station, "3000");
  EXPECT_EQ(r[2].session_id, session + "-p8");
  EXPECT_EQ(r[3].status, AccountingRecord::Status::kStop);
  EXPECT_EQ(r[3].session_id, session + "-p8");
  EXPECT_EQ(r[3].session_time_s, 60);
  EXPECT_EQ(r[4].status, AccountingRecord::Status::kStop);
  EXPECT_EQ(r[4].session_id, session);
  EXPECT_EQ(r[4].session_time_s, 120);
  EXPECT_EQ(r[5].session_id, session + "-p7");
  EXPECT_EQ(r[5].session_time_s, 124);
  EXPECT_EQ(accounting.dropped(), 0u);
}

TEST_F(RadiusBillingTest, InterimUpdatesARunningBilledConference) {
  auto stored = billed_booking();
  ASSERT_TRUE(stored.ok());
  FakeControl control;
  RadiusAccounting accounting(radius_, *store_, control, clock_, {"node1", 60});
  conference::ConferenceEvent opened;
  opened.type = "opened";
  opened.booking = stored->id;
  opened.at = clock_.now();
  control.subscriber(opened);
  clock_.advance(61s);
  for (int i = 0; i < 60 && radius_.seen().size() < 2; ++i) std::this_thread::sleep_for(50ms);
  auto r = radius_.seen();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].status, AccountingRecord::Status::kInterim);
  EXPECT_EQ(r[1].session_time_s, 61);
  accounting.stop();
  r = radius_.seen();
  ASSERT_EQ(r.size(), 3u);  // stopped with the conference still open (shut down): its Stop is sent
  EXPECT_EQ(r[2].status, AccountingRecord::Status::kStop);
}

}  // namespace
}  // namespace confpro::billing
