// Unit tests of the HTTP/JSON billing coupling: the signature (fixed vectors), the request bodies, the
// mapping of the operator's answers to decisions, and the commit/refund rows (the real HTTP exchange with a
// stub server is tests/billing/http_billing_it.py).
#include "billing/http_billing.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/test_support.h"

namespace confpro::billing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const TimePoint kT0 = from_epoch_ms(1'700'000'000'000);

TEST(HttpBillingSignature, HmacSha256MatchesRfc4231AndTheDocumentedHeader) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");  // RFC 4231 case 2
  // X-Confpro-Signature = sha256=hex(HMAC(secret, timestamp "." body)) (python: hmac.new(b"k3y",
  // b'1700000000.{"a":1}', hashlib.sha256).hexdigest()).
  EXPECT_EQ(signature("k3y", "1700000000", R"({"a":1})"),
            "sha256=fd5a70e965043f7df6309c2c3b5ff5a8ffa99b1f5175e9a311459e73c4634d4a");
}

HttpReply answer(long status, std::string body) {
  return HttpReply{true, status, std::move(body), ""};
}

TEST(HttpBillingDecision, OperatorAnswersMapToDecisions) {
  auto a = decide_reserve(answer(201, R"({"reservation":"r-1","granted_seconds":3600})"));
  EXPECT_EQ(a.kind, ReserveAnswer::Kind::kAllowed);
  EXPECT_EQ(a.reservation, "r-1");
  EXPECT_EQ(a.granted_seconds, 3600);
  a = decide_reserve(answer(200, R"({"reservation":"r-2"})"));
  EXPECT_EQ(a.kind, ReserveAnswer::Kind::kAllowed);
  EXPECT_FALSE(a.granted_seconds);
  EXPECT_EQ(decide_reserve(answer(200, R"({"ok":true})")).kind, ReserveAnswer::Kind::kUnavailable);
  EXPECT_EQ(decide_reserve(answer(200, "not json")).kind, ReserveAnswer::Kind::kUnavailable);

  a = decide_reserve(
      answer(402, R"({"reason":"insufficient_credit","message":"balance 2.00 EUR, needs 5.00"})"));
  EXPECT_EQ(a.kind, ReserveAnswer::Kind::kInsufficient);
  EXPECT_EQ(a.message, "balance 2.00 EUR, needs 5.00");
  EXPECT_EQ(decide_reserve(answer(403, R"({"reason":"insufficient_credit"})")).kind,
            ReserveAnswer::Kind::kInsufficient);
  a = decide_reserve(answer(403, R"({"reason":"account_suspended","message":"account suspended"})"));
  EXPECT_EQ(a.kind, ReserveAnswer::Kind::kRefused);
  EXPECT_EQ(a.message, "account suspended");
  EXPECT_EQ(decide_reserve(answer(403, R"({"error":{"message":"closed"}})")).message, "closed");

  for (long status : {500L, 502L, 503L, 404L, 400L, 429L})
    EXPECT_EQ(decide_reserve(answer(status, "{}")).kind, ReserveAnswer::Kind::kUnavailable) << status;
  a = decide_reserve(HttpReply{false, 0, "", "Couldn't connect to server"});
  EXPECT_EQ(a.kind, ReserveAnswer::Kind::kUnavailable);
  EXPECT_EQ(a.message, "Couldn't connect to server");
}

TEST(HttpBillingRequests, ReserveBodyAndItsStableKey) {
  domain::Booking b = store::testing::sample_booking("Weekly", "123456", kT0);
  const std::string key = reserve_key("s3cret", "acme", b);
  EXPECT_EQ(key, reserve_key("s3cret", "acme", b)) << "the same creation, the same key";
  EXPECT_EQ(key.size(), 3u + 32u);
  domain::Booking later = b;
  later.created_at += 1ms;
  EXPECT_NE(key, reserve_key("s3cret", "acme", later));
  EXPECT_NE(key, reserve_key("s3cret", "other", b));

  std::vector<domain::TariffPlan> plans{{"small", 60, 10, 500, "EUR"}};
  const json j = json::parse(reserve_body("acme", b, domain::quote(plans, b, "acme"), key));
  EXPECT_EQ(j["account"], "acme");
  EXPECT_TRUE(j["booking"].is_null());
  EXPECT_EQ(j["reference"], key);
  EXPECT_EQ(j["idempotency_key"], key);
  EXPECT_EQ(j["number"], "123456");
  EXPECT_EQ(j["start"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["duration_minutes"], 60);
  EXPECT_EQ(j["max_participants"], 10);
  EXPECT_EQ(j["price"], "5.00");
  EXPECT_EQ(j["currency"], "EUR");
  const json no_plan = json::parse(reserve_body("acme", b, domain::quote({}, b, "acme"), key));
  EXPECT_FALSE(no_plan.contains("price"));
}

TEST(HttpBillingRequests, CommitCountsParticipantMinutesAndRefundSaysWhy) {
  domain::Booking b = store::testing::sample_booking("Weekly", "123456", kT0);
  b.id = BookingId{7};
  const HttpReservation r{"acme", "r-9", "cp-k"};
  // Scheduled, deleted: a refund.
  auto row = settlement_row(r, b, true, {}, kT0);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->kind, "billing");
  EXPECT_EQ(row->recipient, "refund");
  EXPECT_EQ(row->subject, "cp-k-refund");
  EXPECT_EQ(json::parse(row->body)["reason"], "deleted");
  // Lapsed unused: a refund too.
  b.state = domain::BookingState::kEnded;
  b.ended_at = kT0 + 24h;
  row = settlement_row(r, b, false, {}, kT0 + 24h);
  ASSERT_TRUE(row);
  EXPECT_EQ(json::parse(row->body)["reason"], "lapsed_unused");
  // Ended, then deleted: settled already.
  EXPECT_FALSE(settlement_row(r, b, true, {}, kT0 + 25h));
  // Held: a commit of 10 min with two legs, 10 min and 90 s (one still open at the end counts to the end).
  b.opened_at = kT0;
  b.ended_at = kT0 + 10min;
  store::ParticipantConnection c1, c2;
  c1.joined_at = kT0;
  c2.joined_at = kT0 + 8min + 30s;
  c2.left_at = std::nullopt;
  c1.left_at = kT0 + 10min;
  row = settlement_row(r, b, false, {c1, c2}, kT0 + 10min);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->recipient, "commit");
  EXPECT_EQ(row->subject, "cp-k-commit");
  EXPECT_EQ(row->booking, BookingId{7});
  const json j = json::parse(row->body);
  EXPECT_EQ(j["duration_seconds"], 600);
  EXPECT_EQ(j["participant_seconds"], 690);
  EXPECT_EQ(j["participant_minutes"], 12);  // 11.5 started minutes → 12
  EXPECT_EQ(j["participants"], 2);
  EXPECT_EQ(j["reservation"], "r-9");
  EXPECT_EQ(j["booking"], 7);
  EXPECT_EQ(j["idempotency_key"], "cp-k-commit");
  EXPECT_FALSE(j.contains("amount")) << "no plan priced it";
  // Priced by the tariff: the commit carries the amount the ledger would capture, and its parts.
  domain::TariffPlan plan{"small", 60, 10, 500, "EUR"};
  plan.overage_per_participant_minute = 5;
  plan.included_participant_minutes = 10;
  plan.toll_free_per_minute = 10;
  domain::UsageLeg first{1, 10min, true, std::nullopt}, second{2, 90s, false, std::nullopt};
  const booking::BookingCharge charge{domain::charge_usage(plan, 500, {first, second}), "EUR"};
  const json priced = json::parse(settlement_row(r, b, false, {c1, c2}, kT0 + 10min, charge)->body);
  EXPECT_EQ(priced["amount"], "6.10");  // 5.00 + 2 min overage 0.10 + 10 toll-free min 1.00
  EXPECT_EQ(priced["currency"], "EUR");
  EXPECT_EQ(priced["package"], "5.00");
  EXPECT_EQ(priced["overage"], "0.10");
  EXPECT_EQ(priced["overage_minutes"], 2);
  EXPECT_EQ(priced["toll_free"], "1.00");
  EXPECT_EQ(priced["dial_out"], "0.00");
}

TEST(HttpBillingUnreachable, PrepaidFailsClosedPostpaidFailsOpenAudited) {
  store::testing::TempDir dir;
  auto store = store::testing::open_migrated(dir.path() / "t.db");
  ASSERT_TRUE(store->insert_account(store::BillingAccount{0, "pre", "alice", true, 0, "EUR", kT0}, {}).ok());
  ASSERT_TRUE(
      store->insert_account(store::BillingAccount{0, "post", "alice", false, 1000, "EUR", kT0}, {}).ok());
  HttpBillingOptions o;
  o.url = "http://127.0.0.1:9";  // discard port: nobody listens, refused at once
  o.secret = "s";
  o.timeout_ms = 500;
  const domain::Booking b = store::testing::sample_booking("Weekly", "123456", kT0);
  const booking::Actor actor{"alice", false, "cli"};
  HttpBillingAuthorizer closed(o, *store, {}, true);
  auto refused = closed.authorize_account(actor, "pre", b, kT0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(refused.error().reason, "billing_unavailable");
  auto allowed = closed.authorize_account(actor, "post", b, kT0);
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_EQ(allowed->action, kHttpReserveAction);
  EXPECT_NE(allowed->details.find("account=post reservation=unchecked key=cp-"), std::string::npos);
  EXPECT_NE(allowed->details.find("warning=billing_unavailable_fail_open"), std::string::npos) << "audited";
  HttpBillingAuthorizer strict(o, *store, {}, false);
  EXPECT_EQ(strict.authorize_account(actor, "post", b, kT0).error().reason, "billing_unavailable");
}

}  // namespace
}  // namespace confpro::billing
