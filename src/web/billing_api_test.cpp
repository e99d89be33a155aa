// The billing API (issue 16 item 5): tariffs and quotes, accounts seen by their owner only, audited
// adjustments that refuse bad amounts, the paged statement, and revenue per day, owner and access number.
#include <gtest/gtest.h>

#include "web/api_test_support.h"

namespace confpro::web {
namespace {

using testing::ApiFixture;
using testing::Client;
using testing::header;

class BillingApiTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    booking::BookingServiceOptions o;
    o.plans = {{"small", 60, 5, 500, "EUR"}, {"large", 180, 50, 2500, "EUR"}};
    serve(o);
  }
  // A new API over a booking service with `o`, and the three signed in to it.
  void serve(const booking::BookingServiceOptions& o) {
    api.reset();
    bookings = std::make_unique<booking::BookingService>(*store, clock, random, o);
    services.bookings = bookings.get();
    api = std::make_unique<Api>(options, services);
    admin = std::make_unique<Client>(*api);
    alice = std::make_unique<Client>(*api);
    bob = std::make_unique<Client>(*api);
    ASSERT_EQ(admin->login("root", "admin-password-1").status, 201);
    ASSERT_EQ(alice->login("alice", "alice-password-1").status, 201);
    ASSERT_EQ(bob->login("bob", "bob-password-12").status, 201);
  }
  std::unique_ptr<Client> admin, alice, bob;
};

TEST_F(BillingApiTest, TariffsAndQuotesAreDecimalStringsAndAnUncoveredBookingIsNamed) {
  auto t = alice->get("/api/v1/tariffs");
  ASSERT_EQ(t.status, 200) << t.raw.body;
  ASSERT_EQ(t.json["items"].size(), 2u);
  EXPECT_EQ(t.json["items"][0]["price"], "5.00");
  EXPECT_EQ(t.json["items"][1]["max_participants"], 50);

  auto q = alice->get("/api/v1/tariffs/quote?duration_minutes=90&max_participants=4");
  ASSERT_EQ(q.status, 200) << q.raw.body;
  EXPECT_EQ(q.json["price"], "25.00");
  EXPECT_EQ(q.json["plan"]["name"], "large");
  EXPECT_EQ(q.json["currency"], "EUR");
  EXPECT_EQ(q.json["per_minute_terms"], "") << "a flat package";
  EXPECT_TRUE(t.json["items"][0]["overage_per_participant_minute"].is_null());
  EXPECT_EQ(t.json["items"][0]["included_participant_minutes"], 300);
  EXPECT_EQ(t.json["items"][0]["toll_free_per_minute"], "0.00");

  auto none = alice->get("/api/v1/tariffs/quote?duration_minutes=600&max_participants=4");
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(none.json["error"]["fields"][0]["reason"], "no_plan");
  EXPECT_EQ(none.json["error"]["fields"][0]["message"], "no tariff plan covers 600 minutes and 4 participants");

  auto bad = alice->get("/api/v1/tariffs/quote?duration_minutes=abc");
  ASSERT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["error"]["fields"].size(), 2u);  // both parameters named
}

TEST_F(BillingApiTest, AccountsAreSeenByTheirOwnerAndAdjustedByAnAdministratorOnlyWithAReason) {
  auto made = admin->post("/api/v1/accounts", {{"name", "acme"}, {"owner", "alice"}, {"credit", "50.00"}});
  ASSERT_EQ(made.status, 201) << made.raw.body;
  EXPECT_EQ(made.json["balance"], "50.00");
  EXPECT_EQ(made.json["available"], "50.00");
  EXPECT_EQ(admin->post("/api/v1/accounts", {{"name", "acme"}, {"owner", "alice"}}).status, 409);
  EXPECT_EQ(admin->post("/api/v1/accounts", {{"name", "x"}, {"owner", "nobody"}}).json["error"]["fields"][0]["field"],
            "owner");
  EXPECT_EQ(alice->post("/api/v1/accounts", {{"name", "mine"}, {"owner", "alice"}}).status, 403);

  EXPECT_EQ(alice->get("/api/v1/accounts").json["items"].size(), 1u);
  EXPECT_EQ(bob->get("/api/v1/accounts").json["items"].size(), 0u);
  EXPECT_EQ(alice->get("/api/v1/accounts/acme").json["held"], "0.00");
  // Another's account and no account answer the same to an organizer.
  auto theirs = bob->get("/api/v1/accounts/acme"), missing = bob->get("/api/v1/accounts/ghost");
  EXPECT_EQ(theirs.status, 403);
  EXPECT_EQ(theirs.raw.body, missing.raw.body);
  EXPECT_EQ(admin->get("/api/v1/accounts/ghost").status, 404);

  EXPECT_EQ(alice->post("/api/v1/accounts/acme/adjustments", {{"amount", "20.00"}, {"reason", "gift"}}).status, 403);
  for (nlohmann::json amount : {nlohmann::json("-0.001"), nlohmann::json("abc"), nlohmann::json("1e5"),
                                nlohmann::json("1000000000.01"), nlohmann::json("0"), nlohmann::json(20)}) {
    auto r = admin->post("/api/v1/accounts/acme/adjustments", {{"amount", amount}, {"reason", "x"}});
    EXPECT_EQ(r.status, 400) << amount;
    EXPECT_EQ(r.json["error"]["fields"][0]["field"], "amount") << amount;
  }
  auto no_reason = admin->post("/api/v1/accounts/acme/adjustments", {{"amount", "5.00"}, {"reason", "  "}});
  EXPECT_EQ(no_reason.json["error"]["fields"][0]["field"], "reason");
  EXPECT_EQ(admin->post("/api/v1/accounts/ghost/adjustments", {{"amount", "5.00"}, {"reason", "x"}}).status, 404);

  auto up = admin->post("/api/v1/accounts/acme/adjustments", {{"amount", "20.50"}, {"reason", "top-up by phone"}});
  ASSERT_EQ(up.status, 201) << up.raw.body;
  EXPECT_EQ(up.json["account"]["balance"], "70.50");
  auto down = admin->post("/api/v1/accounts/acme/adjustments", {{"amount", "-0.50"}, {"reason", "correction"}});
  EXPECT_EQ(down.json["account"]["balance"], "70.00");
  // A debit a prepaid account cannot cover is refused, naming the credit; nothing is written.
  auto over = admin->post("/api/v1/accounts/acme/adjustments", {{"amount", "-70.01"}, {"reason", "too much"}});
  EXPECT_EQ(over.status, 402) << over.raw.body;
  EXPECT_EQ(over.json["error"]["reason"], "insufficient_credit") << over.raw.body;
  EXPECT_EQ(admin->get("/api/v1/accounts/acme").json["balance"], "70.00");

  auto audit = admin->get("/api/v1/audit?target=account:acme");
  ASSERT_EQ(audit.status, 200) << audit.raw.body;
  std::string seen = audit.raw.body;
  EXPECT_NE(seen.find("20.50: top-up by phone"), std::string::npos) << seen;
  EXPECT_NE(seen.find("account:acme"), std::string::npos);

  auto page1 = alice->get("/api/v1/accounts/acme/ledger?limit=2");
  ASSERT_EQ(page1.status, 200) << page1.raw.body;
  ASSERT_EQ(page1.json["items"].size(), 2u);
  EXPECT_EQ(page1.json["items"][0]["amount"], "-0.50");  // newest first
  EXPECT_EQ(page1.json["items"][0]["actor"], "root");
  EXPECT_TRUE(page1.json["has_more"].get<bool>());
  auto page2 = alice->get("/api/v1/accounts/acme/ledger?limit=2&offset=2");
  ASSERT_EQ(page2.json["items"].size(), 1u);
  EXPECT_EQ(page2.json["items"][0]["kind"], "credit");
  EXPECT_FALSE(page2.json["has_more"].get<bool>());
  EXPECT_EQ(bob->get("/api/v1/accounts/acme/ledger").status, 403);
}

// A shared account (issue 16 P2): its members see it and pay with it; others do not; only an administrator
// shares it, audited; hostile member lists are refused naming the entry, and nothing changes.
TEST_F(BillingApiTest, ASharedAccountIsSeenAndUsedByItsMembersOnly) {
  ASSERT_EQ(admin->post("/api/v1/accounts", {{"name", "acme"}, {"owner", "alice"}, {"credit", "50.00"}}).status, 201);
  auto booked = [&](Client& c, const char* name) {
    return c.post("/api/v1/bookings", {{"name", name}, {"duration_minutes", 30}, {"max_participants", 5}, {"account", "acme"}});
  };
  EXPECT_EQ(bob->get("/api/v1/accounts/acme").status, 403);
  auto refused = booked(*bob, "Bob's");
  EXPECT_EQ(refused.status, 403) << refused.raw.body;

  EXPECT_EQ(alice->request("PUT", "/api/v1/accounts/acme/members", R"({"members":["bob"]})").status, 403);
  for (const char* hostile : {R"({"members":"bob"})", R"({"members":[""]})", R"({"members":["b o b"]})",
                              R"({"members":["=x"]})", R"({"members":[7]})", R"({})"}) {
    auto r = admin->request("PUT", "/api/v1/accounts/acme/members", hostile);
    EXPECT_EQ(r.status, 400) << hostile << " " << r.raw.body;
    EXPECT_EQ(r.json["error"]["fields"][0]["field"], "members") << hostile;
  }
  EXPECT_EQ(admin->request("PUT", "/api/v1/accounts/ghost/members", R"({"members":["bob"]})").status, 404);
  EXPECT_EQ(admin->get("/api/v1/accounts/acme").json["members"], nlohmann::json::array()) << "nothing changed";

  auto shared = admin->request("PUT", "/api/v1/accounts/acme/members",
                               R"({"members":[" bob ","cn=Sales,ou=groups,dc=example,dc=org","bob"]})");
  ASSERT_EQ(shared.status, 200) << shared.raw.body;
  EXPECT_EQ(shared.json["members"], nlohmann::json({"bob", "cn=Sales,ou=groups,dc=example,dc=org"}));
  EXPECT_EQ(bob->get("/api/v1/accounts").json["items"].size(), 1u);
  EXPECT_EQ(bob->get("/api/v1/accounts/acme/ledger").status, 200);
  auto paid = booked(*bob, "Bob's");
  ASSERT_EQ(paid.status, 201) << paid.raw.body;
  EXPECT_EQ(admin->get("/api/v1/accounts/acme").json["held"], "5.00");
  EXPECT_NE(admin->get("/api/v1/audit?target=account:acme").raw.body.find("bob; cn=Sales"), std::string::npos);

  ASSERT_EQ(admin->request("PUT", "/api/v1/accounts/acme/members", R"({"members":[]})").status, 200);
  EXPECT_EQ(bob->get("/api/v1/accounts/acme").status, 403) << "no longer shared";
  EXPECT_EQ(booked(*bob, "Bob's again").status, 403);
}

// Issue 16 P1: a plan sold to an account is quoted to those who may use the account, and listed only to them.
TEST_F(BillingApiTest, APlanSoldToAnAccountIsQuotedAndListedToItsUsersOnly) {
  booking::BookingServiceOptions o;
  domain::TariffPlan deal{"acme-deal", 60, 5, 300, "EUR"};
  deal.accounts = {"acme"};
  o.plans = {{"small", 60, 5, 500, "EUR"}, deal};
  serve(o);
  ASSERT_EQ(admin->post("/api/v1/accounts", {{"name", "acme"}, {"owner", "alice"}, {"credit", "50.00"}}).status, 201);

  EXPECT_EQ(alice->get("/api/v1/tariffs/quote?duration_minutes=30&max_participants=4").json["price"], "5.00");
  auto q = alice->get("/api/v1/tariffs/quote?duration_minutes=30&max_participants=4&account=acme");
  ASSERT_EQ(q.status, 200) << q.raw.body;
  EXPECT_EQ(q.json["price"], "3.00");
  EXPECT_EQ(q.json["plan"]["accounts"], nlohmann::json({"acme"}));
  auto theirs = bob->get("/api/v1/tariffs/quote?duration_minutes=30&max_participants=4&account=acme");
  EXPECT_EQ(theirs.status, 400);
  EXPECT_EQ(theirs.json["error"]["fields"][0]["reason"], "unknown_account") << theirs.raw.body;
  EXPECT_EQ(alice->get("/api/v1/tariffs").json["items"].size(), 2u);
  EXPECT_EQ(bob->get("/api/v1/tariffs").json["items"].size(), 1u) << "another's negotiated plan is not shown";
  EXPECT_EQ(admin->get("/api/v1/tariffs").json["items"].size(), 2u);
  auto booked = alice->post("/api/v1/bookings", {{"name", "On the deal"}, {"duration_minutes", 30},
                                                 {"max_participants", 4}, {"account", "acme"}});
  ASSERT_EQ(booked.status, 201) << booked.raw.body;
  EXPECT_EQ(admin->get("/api/v1/accounts/acme").json["held"], "3.00");
}

TEST_F(BillingApiTest, RevenueComesFromCapturesPerDayOwnerAndAccessNumber) {
  ASSERT_EQ(admin->post("/api/v1/accounts", {{"name", "acme"}, {"owner", "alice"}, {"credit", "100.00"}}).status, 201);
  auto b = alice->post("/api/v1/bookings", {{"name", "Billed"},
                                           {"valid_from", "2026-06-01 09:00"},
                                           {"duration_minutes", 60},
                                           {"max_participants", 5},
                                           {"account", "acme"}});
  ASSERT_EQ(b.status, 201) << b.raw.body;
  EXPECT_EQ(alice->get("/api/v1/accounts/acme").json["held"], "5.00");
  // The conference took place: 30 min on the toll-free number, 10 on the local one; then it was captured.
  auto booking = store->get_booking(BookingId{b.json["id"].get<std::int64_t>()}).value();
  const TimePoint t0 = from_epoch_ms(1'780'300'000'000);  // 2026-06-01 ~09:46 Paris
  store::ConferenceSession s{{}, booking.id, booking.number, t0, {}, "", "", "n1"};
  s = store->open_session(s).value();
  for (auto [access, minutes] : {std::pair<const char*, int>{"0800300300", 30}, {"3001", 10}}) {
    store::ParticipantConnection c;
    c.session = s.id;
    c.booking = booking.id;
    c.caller_number = "+33100000000";
    c.access_number = access;
    c.call_ref = access;
    c.joined_at = t0;
    c = store->start_connection(c).value();
    ASSERT_TRUE(store->end_connection(c.id, t0 + std::chrono::minutes(minutes), "hangup", 0, 0, 0).ok());
  }
  store::SideEffects fx;
  fx.ledger.push_back({0, "acme", t0 + std::chrono::hours(1), "capture", -500, -500, booking.id, "system", "held"});
  ASSERT_TRUE(store->update_booking(booking, booking.version, fx).ok());

  auto by_day = admin->get("/api/v1/reports/revenue?from=2026-06-01&to=2026-06-01&by=day");
  ASSERT_EQ(by_day.status, 200) << by_day.raw.body;
  ASSERT_EQ(by_day.json["items"].size(), 1u);
  EXPECT_EQ(by_day.json["items"][0]["key"], "2026-06-01");
  EXPECT_EQ(by_day.json["items"][0]["amount"], "5.00");
  EXPECT_EQ(by_day.json["totals"][0]["amount"], "5.00");
  EXPECT_EQ(alice->get("/api/v1/reports/revenue?from=2026-06-01&to=2026-06-01&by=owner").json["items"][0]["key"],
            "alice");
  EXPECT_TRUE(bob->get("/api/v1/reports/revenue?from=2026-06-01&to=2026-06-01").json["items"].empty());

  auto csv = admin->get("/api/v1/reports/revenue?from=2026-06-01&to=2026-06-01&by=access_number&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(header(csv.raw, "Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(csv.raw.body,
            "access_number,currency,amount,captures\r\n0800300300,EUR,3.75,1\r\n3001,EUR,1.25,1\r\n"
            "total,EUR,5.00,1\r\n");
  EXPECT_TRUE(admin->get("/api/v1/reports/revenue?from=2026-06-02&to=2026-06-03").json["items"].empty());
  EXPECT_EQ(admin->get("/api/v1/reports/revenue?from=2026-06-01&to=2026-06-01&by=week").status, 400);
}

}  // namespace
}  // namespace confpro::web
