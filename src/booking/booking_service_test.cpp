#include "booking/booking_service.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "booking/billing.h"
#include "store/test_support.h"

namespace confpro::booking {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using store::testing::open_migrated;
using store::testing::TempDir;

const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);  // 2027-01-15 08:00 UTC
const Actor kAdmin{"admin", true, "cli"};
const Actor kAlice{"alice", false, "web"};
const Actor kBob{"bob", false, "web"};

domain::BookingDraft draft(const std::string& name) {
  domain::BookingDraft d;
  d.name = name;
  d.owner = "alice";
  return d;
}

class BookingServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_);
    for (const char* name : {"alice", "bob"}) {
      store::User u;
      u.username = name;
      u.display_name = std::string(name) + " D.";
      u.email = std::string(name) + "@example.com";
      u.mobile = name == std::string("alice") ? "+33612345678" : "";
      u.created_at = kT0;
      ASSERT_TRUE(store_->add_user(u).ok());
    }
    ASSERT_TRUE(
        store_->upsert_access_number({"0800123456", "Paris", "toll-free", domain::Language::kFrench}).ok());
  }
  std::int64_t outbox_count() { return static_cast<std::int64_t>(store_->list_outbox("", 10000)->size()); }
  std::int64_t audit_count() { return store_->list_audit({})->total; }
  std::int64_t booking_count() { return store_->search_bookings({})->total; }

  TempDir dir_;
  std::unique_ptr<store::Store> store_ = open_migrated(dir_.path() / "b.db");
  ManualClock clock_{kT0};
  domain::SeededRandom random_{1};
  BookingService service_{*store_, clock_, random_, BookingServiceOptions{}};
};

TEST_F(BookingServiceTest, CreateFillsDefaultsStoresAndAudits) {
  auto b = service_.create(draft("Weekly"), kAdmin);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_TRUE(b->id.valid());
  EXPECT_EQ(b->version, 1);
  EXPECT_EQ(b->valid_from, kT0);
  EXPECT_EQ(b->number.size(), 6u);
  EXPECT_NE(b->user_pin, b->moderator_pin);
  EXPECT_EQ(service_.get(b->id).value(), *b);
  EXPECT_EQ(service_.get_by_number(b->number).value(), *b);
  EXPECT_EQ(service_.get_by_name("Weekly").value(), *b);
  auto audit = store_->list_audit({}).value();
  ASSERT_EQ(audit.total, 1);
  EXPECT_EQ(audit.items[0].action, "booking.create");
  EXPECT_EQ(audit.items[0].actor, "admin");
  EXPECT_EQ(audit.items[0].source, "cli");
  EXPECT_EQ(audit.items[0].target, "booking:" + std::to_string(b->id.value()));
  EXPECT_EQ(audit.items[0].details.find(b->moderator_pin), std::string::npos);  // no PINs in the audit log
}

TEST_F(BookingServiceTest, CreateEnqueuesOwnerMailInviteeMailsAndOwnerSms) {
  auto d = draft("Budget");
  d.language = "en";
  d.invitees = std::vector<domain::Invitee>{
      {"carol@example.com", "", ""}, {"", "+33699999999", ""}, {"dave@example.com", "", "604731"}};
  auto b = service_.create(d, kAdmin).value();
  auto outbox = store_->list_outbox("", 100).value();
  ASSERT_EQ(outbox.size(),
            4u);  // owner e-mail, two invitee e-mails (one invitee has only a phone), owner SMS
  EXPECT_EQ(outbox[0].recipient, "alice@example.com");
  EXPECT_NE(outbox[0].body.find(b.moderator_pin), std::string::npos);
  EXPECT_NE(outbox[0].body.find(b.user_pin), std::string::npos);
  EXPECT_NE(outbox[0].body.find(b.number), std::string::npos);
  EXPECT_NE(outbox[0].body.find("0800123456"), std::string::npos);
  EXPECT_NE(outbox[0].body.find("Moderator PIN"), std::string::npos);
  EXPECT_EQ(outbox[1].recipient, "carol@example.com");
  EXPECT_NE(outbox[1].body.find(b.user_pin), std::string::npos);
  EXPECT_EQ(outbox[1].body.find(b.moderator_pin), std::string::npos);  // invitees never get the moderator PIN
  EXPECT_EQ(outbox[2].recipient, "dave@example.com");
  EXPECT_NE(outbox[2].body.find("604731"), std::string::npos);
  EXPECT_EQ(outbox[2].body.find(b.moderator_pin), std::string::npos);
  EXPECT_EQ(outbox[3].kind, "sms");
  EXPECT_EQ(outbox[3].recipient, "+33612345678");
  EXPECT_NE(outbox[3].body.find(b.number), std::string::npos);
  for (const auto& m : outbox) {
    EXPECT_EQ(m.booking, b.id);
    EXPECT_EQ(m.status, "pending");
    EXPECT_EQ(m.next_attempt_at, kT0);
  }
}

TEST_F(BookingServiceTest, FrenchBookingGetsFrenchText) {
  auto b = service_.create(draft("Réunion"), kAdmin).value();
  auto outbox = store_->list_outbox("", 100).value();
  ASSERT_FALSE(outbox.empty());
  EXPECT_NE(outbox[0].body.find("Code modérateur"), std::string::npos);
  // Times in the configured zone (Paris, UTC+1 in January).
  EXPECT_NE(outbox[0].body.find("2027-01-15 09:00"), std::string::npos) << outbox[0].body;
}

TEST_F(BookingServiceTest, UpdateAndDeleteEnqueueInvitationsWithTheNextSequence) {
  auto d = draft("Planning");
  d.invitees = std::vector<domain::Invitee>{{"carol@example.com", "", ""}};
  auto b = service_.create(d, kAdmin).value();
  const auto created = outbox_count();
  domain::BookingDraft change;
  change.duration_minutes = 45;
  ASSERT_TRUE(service_.update(b.id, change, std::nullopt, kAdmin).ok());
  auto rows = store_->list_outbox("", 100).value();
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()), created + 2);  // alice and carol
  EXPECT_EQ(rows.back().booking, b.id);
  EXPECT_NE(rows.back().calendar.find("METHOD:REQUEST"), std::string::npos);
  EXPECT_NE(rows.back().calendar.find("SEQUENCE:1\r\n"), std::string::npos);
  ASSERT_TRUE(service_.remove(b.id, kAdmin).ok());
  rows = store_->list_outbox("", 100).value();
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()), created + 4);
  EXPECT_NE(rows.back().calendar.find("METHOD:CANCEL"), std::string::npos);
  EXPECT_NE(rows.back().calendar.find("SEQUENCE:2\r\n"), std::string::npos);
}

TEST_F(BookingServiceTest, InvalidDraftWritesNothing) {
  domain::BookingDraft d;
  d.user_pin = "12ab";
  d.max_participants = 0;
  d.duration_minutes = 10000;
  auto b = service_.create(d, kAdmin);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument);
  // name, user_pin, max_participants, duration_minutes (the owner defaults to the actor)
  EXPECT_EQ(b.error().fields.size(), 4u) << b.error().message;
  EXPECT_EQ(booking_count(), 0);
  EXPECT_EQ(audit_count(), 0);
  EXPECT_EQ(outbox_count(), 0);
}

TEST_F(BookingServiceTest, UnknownOwnerIsRefused) {
  auto d = draft("X");
  d.owner = "zoe";
  auto b = service_.create(d, kAdmin);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().fields.at(0).field, "owner");
  EXPECT_EQ(booking_count(), 0);
}

TEST_F(BookingServiceTest, ChosenNumberOrNameConflictNamesTheField) {
  auto first = service_.create(draft("A"), kAdmin).value();
  auto d = draft("B");
  d.number = first.number;
  auto dup = service_.create(d, kAdmin);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.error().fields.at(0).field, "number");
  auto same_name = service_.create(draft("A"), kAdmin);
  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.error().fields.at(0).field, "name");
  EXPECT_EQ(booking_count(), 1);
  EXPECT_EQ(audit_count(), 1);
}

TEST_F(BookingServiceTest, GeneratedNumberConflictIsRetried) {
  domain::SeededRandom same_seed{1};  // replays the numbers the fixture's service draws
  BookingService twin{*store_, clock_, same_seed, BookingServiceOptions{}};
  auto a = service_.create(draft("A"), kAdmin).value();
  auto b = twin.create(draft("B"), kAdmin);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_NE(a.number, b->number);
  EXPECT_EQ(booking_count(), 2);
  auto outbox = store_->list_outbox("", 100).value();
  EXPECT_NE(outbox.back().body.find(b->number), std::string::npos);  // the SMS carries the final number
}

TEST_F(BookingServiceTest, OrganizersActOnlyOnTheirOwnBookings) {
  auto mine = service_.create(draft("Mine"), kAlice);
  ASSERT_TRUE(mine.ok()) << mine.error().message;
  domain::BookingDraft for_alice = draft("Not yours");
  EXPECT_EQ(service_.create(for_alice, kBob).error().code, ErrorCode::kPermissionDenied);
  domain::BookingDraft rename;
  rename.name = "Hijacked";
  EXPECT_EQ(service_.update(mine->id, rename, std::nullopt, kBob).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_.remove(mine->id, kBob).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_.end(mine->id, domain::EndReason::kEndedByAdmin, kBob).error().code,
            ErrorCode::kPermissionDenied);
  domain::BookingDraft give;
  give.owner = "bob";
  EXPECT_EQ(service_.update(mine->id, give, std::nullopt, kAlice).error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(service_.update(mine->id, give, std::nullopt, kAdmin).ok());
  // Owner defaults to the actor.
  domain::BookingDraft no_owner;
  no_owner.name = "Bob's";
  EXPECT_EQ(service_.create(no_owner, kBob)->owner, "bob");
}

TEST_F(BookingServiceTest, UpdateChecksVersionStateAndUniqueness) {
  auto a = service_.create(draft("A"), kAdmin).value();
  auto b = service_.create(draft("B"), kAdmin).value();
  domain::BookingDraft d;
  d.max_participants = 42;
  auto u = service_.update(a.id, d, a.version, kAdmin);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->max_participants, 42);
  EXPECT_EQ(u->version, 2);
  EXPECT_EQ(service_.update(a.id, d, a.version, kAdmin).error().code,
            ErrorCode::kFailedPrecondition);  // stale
  domain::BookingDraft taken;
  taken.number = b.number;
  auto clash = service_.update(a.id, taken, std::nullopt, kAdmin);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().fields.at(0).field, "number");
  // Once active, the number and PINs are frozen but the duration may change.
  auto active = service_.get(a.id).value();
  ASSERT_TRUE(domain::open(active, kT0).ok());
  ASSERT_TRUE(store_->update_booking(active, active.version, {}).ok());
  domain::BookingDraft pin;
  pin.user_pin = "902716";
  EXPECT_EQ(service_.update(a.id, pin, std::nullopt, kAdmin).error().code, ErrorCode::kFailedPrecondition);
  domain::BookingDraft longer;
  longer.duration_minutes = 120;
  EXPECT_EQ(service_.update(a.id, longer, std::nullopt, kAdmin)->duration_minutes, 120);
  EXPECT_EQ(service_.update(BookingId{999}, longer, std::nullopt, kAdmin).error().code, ErrorCode::kNotFound);
}

TEST_F(BookingServiceTest, UpdateWithoutChangeWritesNothing) {
  auto a = service_.create(draft("A"), kAdmin).value();
  domain::BookingDraft same;
  same.name = "A";
  auto u = service_.update(a.id, same, std::nullopt, kAdmin);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->version, 1);
  EXPECT_EQ(audit_count(), 1);
}

TEST_F(BookingServiceTest, InvalidUpdateWritesNothing) {
  auto a = service_.create(draft("A"), kAdmin).value();
  domain::BookingDraft bad;
  bad.max_participants = 0;
  bad.name = "B";
  EXPECT_EQ(service_.update(a.id, bad, std::nullopt, kAdmin).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(service_.get(a.id).value(), a);
  EXPECT_EQ(audit_count(), 1);
}

TEST_F(BookingServiceTest, RemoveScheduledButNotActive) {
  auto a = service_.create(draft("A"), kAdmin).value();
  auto b = service_.create(draft("B"), kAdmin).value();
  ASSERT_TRUE(service_.remove(a.id, kAdmin).ok());
  EXPECT_EQ(service_.get(a.id).error().code, ErrorCode::kNotFound);
  auto active = b;
  ASSERT_TRUE(domain::open(active, kT0).ok());
  ASSERT_TRUE(store_->update_booking(active, active.version, {}).ok());
  EXPECT_EQ(service_.remove(b.id, kAdmin).error().code, ErrorCode::kFailedPrecondition);
  // Once its duration has run out it is past, and may be purged.
  clock_.advance(minutes{60});
  EXPECT_TRUE(service_.remove(b.id, kAdmin).ok());
  auto audit = store_->list_audit({}).value();
  EXPECT_EQ(audit.items[0].action, "booking.delete");
}

TEST_F(BookingServiceTest, EndScheduledBookingByAdmin) {
  auto a = service_.create(draft("A"), kAdmin).value();
  clock_.advance(minutes{3});
  auto e = service_.end(a.id, domain::EndReason::kEndedByAdmin, kAdmin);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->state, domain::BookingState::kEnded);
  EXPECT_EQ(e->end_reason, domain::EndReason::kEndedByAdmin);
  EXPECT_EQ(e->ended_at, kT0 + minutes{3});
  EXPECT_EQ(service_.end(a.id, domain::EndReason::kEndedByAdmin, kAdmin).error().code,
            ErrorCode::kFailedPrecondition);
  domain::BookingDraft d;
  d.name = "Z";
  EXPECT_EQ(service_.update(a.id, d, std::nullopt, kAdmin).error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(BookingServiceTest, ExpireDueEndsLapsedScheduledBookings) {
  auto one_day = draft("A");
  auto week = draft("B");
  week.validity_days = 7;
  auto a = service_.create(one_day, kAdmin).value();
  auto b = service_.create(week, kAdmin).value();
  EXPECT_EQ(service_.expire_due(kT0 + days{1} - Millis{1}, {}).value(), 0);
  EXPECT_EQ(service_.expire_due(kT0 + days{1}, {}).value(), 1);
  auto expired = service_.get(a.id).value();
  EXPECT_EQ(expired.state, domain::BookingState::kEnded);
  EXPECT_EQ(expired.end_reason, domain::EndReason::kExpiredUnused);
  EXPECT_EQ(expired.ended_at, kT0 + days{1});
  EXPECT_EQ(service_.get(b.id)->state, domain::BookingState::kScheduled);
  EXPECT_EQ(service_.expire_due(kT0 + days{2}, {}).value(), 0);
  EXPECT_EQ(service_.expire_due(kT0 + days{8}, {}).value(), 1);
  store::BookingQuery q;
  q.state = domain::BookingState::kEnded;
  EXPECT_EQ(service_.search(q)->total, 2);
}

// Issue 15: with unused_notice, the booking expiry ends unused writes its creator's notice and its mark in the
// end's own transaction: nothing left for the housekeeping scan (lapsed_unused sees it marked).
TEST_F(BookingServiceTest, ExpireDueWritesTheUnusedNoticeWithTheEnd) {
  BookingServiceOptions options;
  options.unused_notice = true;
  BookingService service{*store_, clock_, random_, options};
  auto a = service.create(draft("A"), kAdmin).value();
  const auto before = outbox_count();
  EXPECT_EQ(service.expire_due(kT0 + days{1}, {}).value(), 1);
  auto rows = store_->list_outbox("", 100).value();
  ASSERT_EQ(outbox_count(), before + 1);
  EXPECT_EQ(rows.back().recipient, "alice@example.com");
  EXPECT_EQ(rows.back().booking, a.id);
  EXPECT_NE(rows.back().subject.find("« A »"), std::string::npos) << rows.back().subject;
  EXPECT_TRUE(store_->lapsed_unused(kT0, kT0 + days{2}, 10)->empty()) << "marked: the scan skips it";
  // The mark is per booking: enqueue_once (the scan) writes nothing more.
  EXPECT_FALSE(store_->enqueue_once(a.id, "unused", kT0 + days{1}, {}).value());
  // A lapse found more than a day late (server down): no notice about a conference long gone.
  auto b = service.create(draft("B"), kAdmin).value();
  const auto created = outbox_count();
  EXPECT_EQ(service.expire_due(kT0 + days{3}, {}).value(), 1);
  EXPECT_EQ(outbox_count(), created);
  EXPECT_EQ(service.get(b.id)->state, domain::BookingState::kEnded);
}

// Four threads create 100 bookings with 4-digit numbers (9,000 possible): generated-number collisions happen
// and are retried; every booking gets a distinct number.
TEST_F(BookingServiceTest, ConcurrentCreatesGetDistinctNumbers) {
  BookingServiceOptions options;
  options.limits.number_length = 4;
  options.notify = false;
  domain::SystemRandom random;
  BookingService service{*store_, clock_, random, options};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (!service.create(draft("c" + std::to_string(t) + "-" + std::to_string(i)), kAdmin).ok())
          ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  store::BookingQuery q;
  q.limit = 1000;
  auto all = service.search(q).value();
  ASSERT_EQ(all.total, 100);
  std::set<std::string> numbers;
  for (const auto& b : all.items) numbers.insert(b.number);
  EXPECT_EQ(numbers.size(), 100u);
}

}  // namespace
}  // namespace confpro::booking

namespace confpro::booking {
namespace {

// After a crash, close_interrupted closed the session but the booking is still stored active: once its
// duration has run out, expire_due ends it — but never while a session is open (the live conference owns it
// then).
TEST_F(BookingServiceTest, ExpireDueEndsActiveBookingsLeftBehindByACrash) {
  auto a = service_.create(draft("A"), kAdmin).value();
  auto active = a;
  ASSERT_TRUE(domain::open(active, kT0).ok());
  active = store_->update_booking(active, active.version, {}).value();
  store::ConferenceSession s;
  s.booking = a.id;
  s.number = a.number;
  s.opened_at = kT0;
  auto session = store_->open_session(s).value();
  EXPECT_EQ(service_.expire_due(kT0 + minutes{120}, {}).value(), 0);  // session still open: hands off
  ASSERT_TRUE(store_->close_interrupted(kT0 + minutes{10}, "").ok());
  EXPECT_EQ(service_.expire_due(kT0 + minutes{59}, {}).value(), 0);  // duration not yet run out
  EXPECT_EQ(service_.expire_due(kT0 + minutes{60}, {}).value(), 1);
  auto ended = service_.get(a.id).value();
  EXPECT_EQ(ended.state, domain::BookingState::kEnded);
  EXPECT_EQ(ended.end_reason, domain::EndReason::kDurationElapsed);
  EXPECT_EQ(ended.ended_at, kT0 + minutes{60});
  EXPECT_EQ(service_.expire_due(kT0 + minutes{61}, {}).value(), 0);
  (void)session;
}

// The one owner of expiry leaves a booking with a room on this node to its room (which ends it with its closing
// prompt), whether the booking is active and its time ran out or scheduled and its window lapsed (a lobby
// waiting for the leader); once the room is gone, it ends them.
TEST_F(BookingServiceTest, ExpireDueLeavesBookingsWithARoomHereToTheirRoom) {
  auto a = service_.create(draft("A"), kAdmin).value();
  auto active = a;
  ASSERT_TRUE(domain::open(active, kT0).ok());
  active = store_->update_booking(active, active.version, {}).value();
  auto lobby = service_.create(draft("B"), kAdmin).value();
  const std::set<BookingId> rooms{a.id, lobby.id};
  EXPECT_EQ(service_.expire_due(kT0 + days{2}, rooms).value(), 0);
  EXPECT_EQ(service_.get(a.id)->state, domain::BookingState::kActive);
  EXPECT_EQ(service_.get(lobby.id)->state, domain::BookingState::kScheduled);
  EXPECT_EQ(service_.expire_due(kT0 + days{2}, {lobby.id}).value(), 1);
  EXPECT_EQ(service_.get(a.id)->end_reason, domain::EndReason::kDurationElapsed);
  EXPECT_EQ(service_.expire_due(kT0 + days{2}, {}).value(), 1);
  EXPECT_EQ(service_.get(lobby.id)->end_reason, domain::EndReason::kExpiredUnused);
}

}  // namespace
}  // namespace confpro::booking

#include "store/fault_injection.h"

namespace confpro::booking {
namespace {

TEST_F(BookingServiceTest, StoreOutageIsReportedAndWritesNothing) {
  store::FaultInjectingStore faulty(*store_);
  BookingService service{faulty, clock_, random_, BookingServiceOptions{}};
  faulty.fail_next("insert_booking", 1, Error::unavailable("database is down"));
  auto b = service.create(draft("A"), kAdmin);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(faulty.failures_injected(), 1);
  EXPECT_EQ(booking_count(), 0);
  EXPECT_EQ(audit_count(), 0);
  EXPECT_EQ(outbox_count(), 0);
  // The outage is over: the same request succeeds.
  EXPECT_TRUE(service.create(draft("A"), kAdmin).ok());
  faulty.fail_next("", 1, Error::unavailable("database is down"));
  EXPECT_EQ(service.expire_due(kT0, {}).error().code, ErrorCode::kUnavailable);
}

domain::BookingPolicy staff_policy() {
  domain::BookingCategory staff;
  staff.name = "staff";
  staff.members.groups = {"cn=staff,ou=groups,dc=example,dc=org"};
  staff.max_duration_minutes = 120;
  staff.max_participants = 20;
  staff.max_active_bookings = 2;
  staff.recording = false;
  domain::BookingCategory others;
  others.name = "others";
  others.members.everyone = true;
  others.booking = domain::BookingMode::kRefused;
  return {{staff, others}, ""};
}

class BookingPolicyServiceTest : public BookingServiceTest {
 protected:
  BookingServiceOptions policy_options() {
    BookingServiceOptions o;
    o.policy = staff_policy();
    return o;
  }
  BookingService policed_{*store_, clock_, random_, policy_options()};
  const Actor alice_staff_{"alice", false, "web", {"CN=Staff,OU=Groups,DC=Example,DC=org"}};
};

TEST_F(BookingPolicyServiceTest, CreateOutsideTheCategoryIsRefusedAndWritesNothing) {
  auto refused = policed_.create(draft("A"), kAlice);  // no group: "others", refused
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(refused.error().reason, "booking_refused");
  auto d = draft("B");
  d.duration_minutes = 121;
  d.record = true;
  auto over = policed_.create(d, alice_staff_);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(over.error().reason, "category_limit");
  ASSERT_EQ(over.error().fields.size(), 2u);
  EXPECT_EQ(over.error().fields[0].field, "duration_minutes");
  EXPECT_EQ(std::get<std::int64_t>(over.error().fields[0].params.at("max")), 120);
  EXPECT_EQ(over.error().fields[1].field, "record");
  EXPECT_EQ(booking_count(), 0);
  EXPECT_EQ(audit_count(), 0);
  EXPECT_EQ(outbox_count(), 0);
  // Administrators are not limited by categories.
  d.owner = "bob";
  EXPECT_TRUE(policed_.create(d, kAdmin).ok());
}

TEST_F(BookingPolicyServiceTest, BookingsInForceAreCountedFromTheStore) {
  ASSERT_TRUE(policed_.create(draft("A"), alice_staff_).ok());
  auto second = policed_.create(draft("B"), alice_staff_);
  ASSERT_TRUE(second.ok());
  auto third = policed_.create(draft("C"), alice_staff_);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().reason, "too_many_bookings");
  EXPECT_EQ(std::get<std::int64_t>(third.error().params.at("max")), 2);
  // One ends: a place is free again.
  ASSERT_TRUE(policed_.end(second->id, domain::EndReason::kEndedByAdmin, kAdmin).ok());
  EXPECT_TRUE(policed_.create(draft("C"), alice_staff_).ok());
}

TEST_F(BookingPolicyServiceTest, AnEditPastTheLimitsIsRefused) {
  auto b = policed_.create(draft("A"), alice_staff_);
  ASSERT_TRUE(b.ok());
  domain::BookingDraft edit;
  edit.max_participants = 21;
  auto refused = policed_.update(b->id, edit, std::nullopt, alice_staff_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, "category_limit");
  EXPECT_EQ(refused.error().fields.at(0).field, "max_participants");
  edit.max_participants = 20;
  EXPECT_TRUE(policed_.update(b->id, edit, std::nullopt, alice_staff_).ok());
  EXPECT_EQ(policed_.limits_for(alice_staff_).max_participants, 20);
  EXPECT_EQ(policed_.category_of(kAlice).name, "others");
}

TEST_F(BookingPolicyServiceTest, PrecheckAnswersBeforeAnythingIsChosen) {
  auto others = policed_.precheck(kAlice);
  ASSERT_TRUE(others.ok());
  EXPECT_EQ(others->kind, domain::Decision::Kind::kRefused);
  EXPECT_EQ(others->reason, "booking_refused");
  auto staff = policed_.precheck(alice_staff_);
  ASSERT_TRUE(staff.ok());
  EXPECT_TRUE(staff->allowed()) << staff->message;
  ASSERT_TRUE(policed_.create(draft("A"), alice_staff_).ok());
  ASSERT_TRUE(policed_.create(draft("B"), alice_staff_).ok());
  auto full = policed_.precheck(alice_staff_);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->reason, "too_many_bookings");
  EXPECT_TRUE(policed_.precheck(kAdmin)->allowed());
}

TEST_F(BookingPolicyServiceTest, ABilledCategoryIsRefusedUntilBillingExists) {
  domain::BookingPolicy p;
  domain::BookingCategory paid;
  paid.name = "paid";
  paid.members.everyone = true;
  paid.booking = domain::BookingMode::kBilled;
  p.categories = {paid};
  BookingServiceOptions o;
  o.policy = p;
  BookingService service{*store_, clock_, random_, o};
  auto b = service.create(draft("A"), kAlice);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().reason, "billing_unavailable");
  EXPECT_EQ(booking_count(), 0);
}

// A coupling (RADIUS, the operator's API) as BookingService sees it: it bills what it authorized, asks again for
// a longer booking (refusing above `grant_minutes`), and is told when a change it allowed was not stored.
class FakeCoupling final : public AccountAuthorizer {
 public:
  int grant_minutes = 120;
  int reauthorized = 0;
  int given_back = 0;
  Result<store::AuditEntry> authorize_account(const Actor& actor, const std::string& account,
                                              const domain::Booking& proposed, TimePoint now) override {
    if (proposed.duration_minutes > grant_minutes)
      return Error(ErrorCode::kResourceExhausted, "insufficient credit on account '" + account + "'", {},
                   "insufficient_credit");
    return store::AuditEntry{0, now, actor.username, "billing.fake", "booking:" + std::to_string(proposed.id.value()),
                             "account=" + account, actor.source};
  }
  Result<bool> bills(const domain::Booking&) override { return true; }
  Result<Change> reauthorize(const Actor& actor, const domain::Booking& current, const domain::Booking& next,
                             TimePoint now) override {
    Change c;
    if (next.duration_minutes <= current.duration_minutes) return c;
    ++reauthorized;
    auto line = authorize_account(actor, "acme", next, now);
    if (!line.ok()) return line.error();
    c.line = *line;
    return c;
  }
  void not_stored(const store::AuditEntry&, TimePoint) override { ++given_back; }
};

// Issue 16: a booking of a billed category paid through a coupling can be changed; a longer one is authorized
// again (refused above what the billing system grants, the booking unchanged), and a change that is then not
// stored gives back what was authorized for it.
TEST_F(BookingPolicyServiceTest, AChangeOfACoupledBookingIsAuthorizedAgainWhenItNeedsMore) {
  domain::BookingCategory paid;
  paid.name = "paid";
  paid.members.everyone = true;
  paid.booking = domain::BookingMode::kBilled;
  FakeCoupling coupling;
  BookingServiceOptions o;
  o.policy.categories = {paid};
  o.plans = {{"small", 240, 10, 500, "EUR"}};
  o.coupling = &coupling;
  BookingService service{*store_, clock_, random_, o};
  auto d = draft("Coupled");
  d.account = "acme";
  d.duration_minutes = 60;
  auto b = service.create(d, kAlice);
  ASSERT_TRUE(b.ok()) << b.error().message;

  domain::BookingDraft shorter;
  shorter.duration_minutes = 30;
  auto changed = service.update(b->id, shorter, std::nullopt, kAlice);
  ASSERT_TRUE(changed.ok()) << changed.error().message;  // not "name the billing account": it has one
  EXPECT_EQ(coupling.reauthorized, 0);

  domain::BookingDraft longer;
  longer.duration_minutes = 180;
  auto refused = service.update(b->id, longer, std::nullopt, kAlice);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, "insufficient_credit");
  EXPECT_EQ(store_->get_booking(b->id)->duration_minutes, 30);

  longer.duration_minutes = 90;
  const auto lines = audit_count();
  auto grown = service.update(b->id, longer, std::nullopt, kAlice);
  ASSERT_TRUE(grown.ok()) << grown.error().message;
  EXPECT_EQ(grown->duration_minutes, 90);
  EXPECT_EQ(audit_count(), lines + 2) << "the change and the coupling's new line";

  longer.duration_minutes = 100;  // allowed by the coupling, then the store refuses (stale version)
  auto stale = service.update(b->id, longer, changed->version, kAlice);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(coupling.given_back, 0) << "refused before the coupling was asked";
  store::FaultInjectingStore faulty(*store_);
  BookingService failing{faulty, clock_, random_, o};
  faulty.fail_next("update_booking", 1, Error::unavailable("database is down"));
  auto lost = failing.update(b->id, longer, std::nullopt, kAlice);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(coupling.given_back, 1) << "what the coupling authorized for a change not stored is given back";
}

TEST_F(BookingPolicyServiceTest, CountingOnAStoreOutageIsReported) {
  store::FaultInjectingStore faulty(*store_);
  BookingService service{faulty, clock_, random_, policy_options()};
  faulty.fail_next("count_bookings_in_force", 1, Error::unavailable("database is down"));
  auto b = service.create(draft("A"), alice_staff_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(booking_count(), 0);
}

// Issue 16: the hold of a billed booking is captured when the conference took place, released when it lapsed.
TEST_F(BookingServiceTest, TheEndOfABilledBookingCapturesItsHoldOrReleasesItWhenUnused) {
  BookingServiceOptions options;
  options.plans = {{"small", 60, 10, 500, "EUR"}};
  BookingService billed{*store_, clock_, random_, options};
  ASSERT_TRUE(store_->insert_account({0, "acme", "alice", true, 0, "EUR", kT0},
                                     {0, "acme", kT0, "credit", 1000, 0, {}, "admin", "opening"})
                  .ok());
  auto d = draft("Held");
  d.account = "acme";
  auto used = billed.create(d, kAlice);
  ASSERT_TRUE(used.ok()) << used.error().message;
  auto unused_draft = draft("Lapsed");
  unused_draft.account = "acme";
  auto unused = billed.create(unused_draft, kAlice);
  ASSERT_TRUE(unused.ok());
  EXPECT_EQ(store_->get_account("acme")->held, 1000);
  auto third = draft("Third");
  third.account = "acme";
  EXPECT_EQ(billed.create(third, kAlice).error().code, ErrorCode::kResourceExhausted);

  domain::Booking opened = *used;  // the conference took place
  ASSERT_TRUE(domain::open(opened, kT0).ok());
  auto stored = store_->update_booking(opened, used->version, {});
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(billed.end(used->id, domain::EndReason::kEndedByModerator, kAdmin).ok());
  ASSERT_TRUE(billed.end(unused->id, domain::EndReason::kEndedByAdmin, kAdmin).ok());
  auto acme = store_->get_account("acme").value();
  EXPECT_EQ(acme.balance, 500) << "the used booking's price was captured";
  EXPECT_EQ(acme.held, 0) << "nothing stays held after both ended";
  EXPECT_EQ(store_->list_ledger("acme", 10)->front().kind, "release");
}

// Issue 16 P2: an account shared with a directory group is paid with by the group's members (the DN compared as
// the directory spells it), not by others; both draw on the one balance.
TEST_F(BookingServiceTest, ASharedAccountIsPaidWithByTheMembersOfItsGroup) {
  BookingServiceOptions options;
  options.plans = {{"small", 60, 10, 500, "EUR"}};
  BookingService billed{*store_, clock_, random_, options};
  store::BillingAccount pool{0, "sales-pool", "alice", true, 0, "EUR", kT0, {"cn=sales,ou=groups,dc=example,dc=org"}};
  ASSERT_TRUE(store_->insert_account(pool, {0, "sales-pool", kT0, "credit", 1000, 0, {}, "admin", "opening"}).ok());
  const Actor bob_in_sales{"bob", false, "web", {"CN=Sales, OU=Groups,DC=Example,DC=org"}};
  const Actor bob_alone{"bob", false, "web"};
  auto d = draft("Team call");
  d.owner = "bob";
  d.account = "sales-pool";
  auto refused = billed.create(d, bob_alone);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  auto paid = billed.create(d, bob_in_sales);
  ASSERT_TRUE(paid.ok()) << paid.error().message;
  auto mine = draft("Alice's");
  mine.account = "sales-pool";
  ASSERT_TRUE(billed.create(mine, kAlice).ok()) << "the owner still pays with it";
  EXPECT_EQ(store_->get_account("sales-pool")->held, 1000);
  auto third = draft("Third");
  third.owner = "bob";
  third.account = "sales-pool";
  EXPECT_EQ(billed.create(third, bob_in_sales).error().code, ErrorCode::kResourceExhausted) << "one balance";
}

// Issue 16 P1: a booking keeps its owner's category; the plan sold to the paying account prices it (and its change).
TEST_F(BookingPolicyServiceTest, ABookingIsPricedByThePlanSoldToItsAccountOrItsCategory) {
  BookingServiceOptions options = policy_options();
  domain::TariffPlan pub{"public", 120, 10, 500, "EUR"}, deal{"acme-deal", 120, 10, 200, "EUR"},
      staff{"staff-rate", 120, 10, 400, "EUR"};
  deal.accounts = {"acme"};
  staff.categories = {"staff"};
  options.plans = {pub, deal, staff};
  BookingService billed{*store_, clock_, random_, options};
  for (const char* name : {"acme", "other"})
    ASSERT_TRUE(store_->insert_account({0, name, "alice", true, 0, "EUR", kT0},
                                       {0, name, kT0, "credit", 10000, 0, {}, "admin", "opening"})
                    .ok());
  auto d = draft("Deal");
  d.account = "acme";
  d.duration_minutes = 60;
  auto on_deal = billed.create(d, alice_staff_);
  ASSERT_TRUE(on_deal.ok()) << on_deal.error().message;
  EXPECT_EQ(on_deal->category, "staff");
  EXPECT_EQ(store_->get_account("acme")->held, 200);
  d.name = "Staff";
  d.account = "other";
  auto on_staff = billed.create(d, alice_staff_);
  ASSERT_TRUE(on_staff.ok()) << on_staff.error().message;
  EXPECT_EQ(store_->get_account("other")->held, 400) << "the category's rate, dearer than the public one";
  EXPECT_EQ(store_->get_booking(on_staff->id)->category, "staff") << "stored";
  domain::BookingDraft longer;
  longer.duration_minutes = 90;
  ASSERT_TRUE(billed.update(on_deal->id, longer, std::nullopt, alice_staff_).ok());
  EXPECT_EQ(store_->get_account("acme")->held, 200) << "still the account's plan after a change";
}

// `booked` as a room opens it at kT0: the booking opened, its session stored (invalid id on failure).
SessionId opened_with_session(store::Store& store, const domain::Booking& booked) {
  domain::Booking opened = booked;
  if (!domain::open(opened, kT0).ok() || !store.update_booking(opened, booked.version, {}).ok()) return {};
  auto session = store.open_session({{}, booked.id, booked.number, kT0, {}, "", "", "node1"});
  return session.ok() ? session->id : SessionId{};
}

// Issue 16 P1/P2/P4: the capture is the hold plus the measured use — a toll-free leg, a dial-out by its longest
// prefix, a leg still in at the end counted up to the end — priced per started minute; a prepaid account that
// had exactly the package goes below zero by that use, and the line's note gives the breakdown.
TEST_F(BookingServiceTest, TheEndCapturesTheMeasuredUseAboveTheHold) {
  BookingServiceOptions options;
  domain::TariffPlan plan{"small", 60, 10, 500, "EUR"};
  plan.overage_per_participant_minute = 20;
  plan.included_participant_minutes = 5;
  plan.toll_free_per_minute = 10;
  plan.dial_out = {{"+33", 3}, {"+336", 7}};
  options.plans = {plan};
  BookingService billed{*store_, clock_, random_, options};
  ASSERT_TRUE(store_->upsert_access_number({"0800100100", "Toll-free", "toll-free", domain::Language::kEnglish}).ok());
  ASSERT_TRUE(store_->upsert_access_number({"3001", "Local", "local", domain::Language::kEnglish}).ok());
  ASSERT_TRUE(store_->insert_account({0, "acme", "alice", true, 0, "EUR", kT0},
                                     {0, "acme", kT0, "credit", 500, 0, {}, "admin", "opening"})
                  .ok());
  auto d = draft("Metered");
  d.account = "acme";
  auto booked = billed.create(d, kAlice);
  ASSERT_TRUE(booked.ok()) << booked.error().message;
  const SessionId session = opened_with_session(*store_, *booked);
  ASSERT_TRUE(session.valid());
  const auto leg = [&](std::string caller, std::string access, std::string ref, minutes joined) {
    store::ParticipantConnection c;
    c.session = session;
    c.booking = booked->id;
    c.caller_number = std::move(caller);
    c.access_number = std::move(access);
    c.call_ref = std::move(ref);
    c.joined_at = kT0 + joined;
    return store_->start_connection(c).value().id;
  };
  const auto toll_free = leg("0611111111", "0800100100", "1", minutes{0});  // 2 min
  const auto local = leg("0622222222", "3001", "2", minutes{0});            // 3 min 1 s: 4 minutes
  const auto out = leg("+33612345678", "", std::string(kDialOutCallRef) + "3", minutes{1});  // still in: 9 min
  ASSERT_TRUE(store_->end_connection(toll_free, kT0 + minutes{2}, "hangup", 0, 0, 0).ok());
  ASSERT_TRUE(store_->end_connection(local, kT0 + minutes{3} + std::chrono::seconds{1}, "hangup", 0, 0, 0).ok());
  clock_.advance(minutes{10});
  ASSERT_TRUE(billed.end(booked->id, domain::EndReason::kEndedByModerator, kAdmin).ok());
  // Minutes in join order: 2 (toll-free), 4 (local), 9 (dial-out) = 15, 5 included: overage 1 min on the
  // local leg, 9 on the dial-out one = 10 × 0.20; toll-free 2 × 0.10; dial-out +336: 9 × 0.07.
  const auto line = store_->list_ledger("acme", 1)->front();
  EXPECT_EQ(line.kind, "capture");
  EXPECT_EQ(line.amount, -(500 + 200 + 20 + 63));
  EXPECT_EQ(line.hold, -500);
  EXPECT_EQ(line.note,
            "conference held: package 5.00 + overage 2.00 (10 participant-minutes beyond 5) + toll-free 0.20 + "
            "dial-out 0.63 = 7.83 EUR");
  auto acme = store_->get_account("acme").value();
  EXPECT_EQ(acme.balance, -283) << "prepaid, below zero by the measured use only";
  EXPECT_EQ(acme.held, 0);
  (void)out;
}

// A plan priced 0.00 with a rate is pay per use: nothing is held at booking, the use is captured at the end.
TEST_F(BookingServiceTest, APayPerUsePlanHoldsNothingAndCapturesTheUse) {
  BookingServiceOptions options;
  domain::TariffPlan plan{"metered", 60, 10, 0, "EUR"};
  plan.overage_per_participant_minute = 4;
  plan.included_participant_minutes = 0;
  options.plans = {plan};
  BookingService billed{*store_, clock_, random_, options};
  ASSERT_TRUE(store_->insert_account({0, "payg", "alice", true, 0, "EUR", kT0},
                                     {0, "payg", kT0, "credit", 100, 0, {}, "admin", "opening"})
                  .ok());
  auto d = draft("Pay as you go");
  d.account = "payg";
  auto booked = billed.create(d, kAlice);
  ASSERT_TRUE(booked.ok()) << booked.error().message;
  EXPECT_EQ(store_->get_account("payg")->held, 0);
  const SessionId session = opened_with_session(*store_, *booked);
  ASSERT_TRUE(session.valid());
  store::ParticipantConnection c;
  c.session = session;
  c.booking = booked->id;
  c.caller_number = "0611111111";
  c.call_ref = "1";
  c.joined_at = kT0;
  ASSERT_TRUE(store_->start_connection(c).ok());
  clock_.advance(minutes{3});
  ASSERT_TRUE(billed.end(booked->id, domain::EndReason::kEndedByModerator, kAdmin).ok());
  const auto line = store_->list_ledger("payg", 1)->front();
  EXPECT_EQ(line.kind, "capture");
  EXPECT_EQ(line.amount, -12) << "3 participant-minutes at 0.04";
  EXPECT_EQ(line.hold, 0);
  EXPECT_EQ(store_->get_account("payg")->balance, 88);
}

}  // namespace
}  // namespace confpro::booking
