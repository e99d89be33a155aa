#include "store/store.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/fault_injection.h"
#include "store/test_support.h"

namespace confpro::store {
namespace {

using testing::open_migrated;
using testing::sample_booking;
using testing::TempDir;

const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);

// Runs on SQLite, and on PostgreSQL when one is configured (test_support.h: under ctest, always).
class StoreTest : public testing::BackendTest {};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& backend) { return backend.param; });

TEST(OpenStore, UnknownSchemeIsRefused) {
  auto s = open_store("mysql://x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
}

TEST(OpenStore, RelativeSqlitePathCreatesParentDirectories) {
  TempDir dir;
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  auto s = open_store("sqlite://var/sub/confpro.db");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE((*s)->migrate().ok());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "var/sub/confpro.db"));
}

constexpr int kLatestSchema = 16;  // v9: SMS delivery reports, reminder marks (notify/); v10: conference_sessions.cdr_exported_at; v11: users.caller_numbers; v12: outbox.html; v13: billing_accounts.members; v14: bookings.category; v15: conference_claims; v16: node_beats

TEST_P(StoreTest, MigrationsAreIdempotent) {
  EXPECT_EQ(store_->schema_version().value(), kLatestSchema);
  ASSERT_TRUE(store_->migrate().ok());
  ASSERT_TRUE(store_->migrate().ok());
  EXPECT_EQ(store_->schema_version().value(), kLatestSchema);
}

TEST(SqliteStore, ReopenedFileMigratesNothingAndKeepsData) {
  TempDir dir;
  auto store = open_migrated(dir.path() / "test.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->insert_booking(sample_booking("A", "734912", kT0), {}).ok());
  auto again = open_migrated(dir.path() / "test.db");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->schema_version().value(), kLatestSchema);
  EXPECT_TRUE(again->find_booking_by_name("A").ok());
}

TEST(SqliteStore, FreshFileHasSchemaVersionZeroBeforeMigrate) {
  TempDir dir;
  auto s = open_store("sqlite://" + (dir.path() / "fresh.db").string());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->schema_version().value(), 0);
}

TEST_P(StoreTest, InsertedBookingReadsBackIdentically) {
  domain::Booking b = sample_booking("Weekly", "734912", kT0);
  b.language = domain::Language::kEnglish;
  b.options.record = true;
  b.options.wait_for_leader = true;
  b.join_policy = domain::JoinPolicy::kAllowListOnly;
  b.invitees = {{"bob@example.com", "+33612345678", ""}, {"carol@example.com", "", "604731"}};
  b.created_via = "phone";
  b.access_number = "0800123456";
  auto stored = store_->insert_booking(b, {});
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_TRUE(stored->id.valid());
  EXPECT_EQ(stored->version, 1);
  domain::Booking expected = b;
  expected.id = stored->id;
  expected.version = 1;
  EXPECT_EQ(*stored, expected);
  EXPECT_EQ(store_->get_booking(stored->id).value(), expected);
  EXPECT_EQ(store_->find_booking_by_number("734912").value(), expected);
  EXPECT_EQ(store_->find_booking_by_name("Weekly").value(), expected);
  EXPECT_EQ(store_->get_booking(BookingId{999}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->find_booking_by_number("000000").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, UniqueNumberAndNameConflictsNameTheField) {
  ASSERT_TRUE(store_->insert_booking(sample_booking("A", "734912", kT0), {}).ok());
  auto same_number = store_->insert_booking(sample_booking("B", "734912", kT0), {});
  ASSERT_FALSE(same_number.ok());
  EXPECT_EQ(same_number.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(same_number.error().fields.at(0).field, "number");
  auto same_name = store_->insert_booking(sample_booking("A", "555123", kT0), {});
  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.error().fields.at(0).field, "name");
}

TEST_P(StoreTest, FailedInsertWritesNoSideEffects) {
  ASSERT_TRUE(store_->insert_booking(sample_booking("A", "734912", kT0), {}).ok());
  SideEffects fx;
  fx.audit.push_back({0, kT0, "alice", "booking.create", "", "", "cli"});
  fx.outbox.push_back({0, "email", "a@example.com", "s", "b", {}, "pending", 0, kT0, "", kT0, "", "", "", std::nullopt, "", ""});
  ASSERT_FALSE(store_->insert_booking(sample_booking("B", "734912", kT0), fx).ok());
  EXPECT_EQ(store_->list_audit({}).value().total, 0);
  EXPECT_TRUE(store_->list_outbox("", 100).value().empty());
  auto ok = store_->insert_booking(sample_booking("C", "555123", kT0), fx);
  ASSERT_TRUE(ok.ok());
  auto audit = store_->list_audit({}).value();
  ASSERT_EQ(audit.total, 1);
  EXPECT_EQ(audit.items[0].target, "booking:" + std::to_string(ok->id.value()));
  auto outbox = store_->list_outbox("", 100).value();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].booking, ok->id);
}

TEST_P(StoreTest, UpdateChecksTheVersion) {
  auto b = store_->insert_booking(sample_booking("A", "734912", kT0), {}).value();
  b.name = "A2";
  b.invitees = {{"dave@example.com", "", ""}};
  b.state = domain::BookingState::kActive;
  b.opened_at = kT0 + Millis{5};
  auto u = store_->update_booking(b, 1, {});
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->version, 2);
  EXPECT_EQ(u->name, "A2");
  EXPECT_EQ(u->opened_at, kT0 + Millis{5});
  EXPECT_EQ(u->invitees.size(), 1u);
  b.name = "A3";
  auto stale = store_->update_booking(b, 1, {});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store_->get_booking(b.id)->name, "A2");
  b.id = BookingId{12345};
  EXPECT_EQ(store_->update_booking(b, 1, {}).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, UpdateToATakenNumberIsAConflict) {
  ASSERT_TRUE(store_->insert_booking(sample_booking("A", "734912", kT0), {}).ok());
  auto b = store_->insert_booking(sample_booking("B", "555123", kT0), {}).value();
  b.number = "734912";
  auto u = store_->update_booking(b, b.version, {});
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(u.error().fields.at(0).field, "number");
}

TEST_P(StoreTest, DeleteRemovesBookingAndInvitees) {
  auto b = sample_booking("A", "734912", kT0);
  b.invitees = {{"bob@example.com", "", ""}};
  auto stored = store_->insert_booking(b, {}).value();
  ASSERT_TRUE(store_->delete_booking(stored.id, {kT0, "alice"}, {}).ok());
  EXPECT_EQ(store_->get_booking(stored.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->delete_booking(stored.id, {kT0, "alice"}, {}).error().code, ErrorCode::kNotFound);
  // The same number and name may be booked again, without stale invitees.
  auto again = store_->insert_booking(sample_booking("A", "734912", kT0), {});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->invitees.empty());
}

TEST_P(StoreTest, SearchFiltersSortsAndPages) {
  const char* owners[] = {"alice", "bob"};
  for (int i = 0; i < 25; ++i) {
    auto b = sample_booking("Meeting " + std::to_string(i) + (i % 5 == 0 ? " Budget" : ""),
                            std::to_string(700000 + i), kT0 + std::chrono::hours{i});
    b.owner = owners[i % 2];
    if (i >= 20) b.state = domain::BookingState::kEnded;
    ASSERT_TRUE(store_->insert_booking(b, {}).ok());
  }
  BookingQuery q;
  q.limit = 10;
  auto page = store_->search_bookings(q).value();
  EXPECT_EQ(page.total, 25);
  ASSERT_EQ(page.items.size(), 10u);
  EXPECT_EQ(page.items[0].number, "700000");
  q.offset = 20;
  page = store_->search_bookings(q).value();
  ASSERT_EQ(page.items.size(), 5u);
  EXPECT_EQ(page.items[4].number, "700024");

  BookingQuery by_owner;
  by_owner.owner = "bob";
  EXPECT_EQ(store_->search_bookings(by_owner)->total, 12);
  BookingQuery by_name;
  by_name.name_contains = "budGET";
  EXPECT_EQ(store_->search_bookings(by_name)->total, 5);
  BookingQuery by_prefix;
  by_prefix.number_prefix = "70001";
  EXPECT_EQ(store_->search_bookings(by_prefix)->total, 10);
  BookingQuery wildcard;
  wildcard.name_contains = "%";
  EXPECT_EQ(store_->search_bookings(wildcard)->total, 0);
  BookingQuery by_state;
  by_state.state = domain::BookingState::kEnded;
  EXPECT_EQ(store_->search_bookings(by_state)->total, 5);
  BookingQuery by_range;
  by_range.from = kT0 + std::chrono::hours{3};
  by_range.to = kT0 + std::chrono::hours{6};
  by_range.sort = BookingSort::kNumber;
  by_range.descending = true;
  auto ranged = store_->search_bookings(by_range).value();
  ASSERT_EQ(ranged.total, 3);
  EXPECT_EQ(ranged.items[0].number, "700005");
  EXPECT_EQ(ranged.items[2].number, "700003");
}

TEST_P(StoreTest, NameSearchFollowsRenamesAndDeletes) {
  auto a = store_->insert_booking(sample_booking("Quarterly Review", "734001", kT0), {}).value();
  auto b = store_->insert_booking(sample_booking("Weekly 100% sync_up", "734002", kT0), {}).value();
  ASSERT_TRUE(store_->insert_booking(sample_booking("Board", "734003", kT0), {}).ok());
  auto count = [&](const std::string& text) {
    BookingQuery q;
    q.name_contains = text;
    return store_->search_bookings(q).value().total;
  };
  EXPECT_EQ(count("rterly rev"), 1);
  EXPECT_EQ(count("Re"), 1);  // shorter than a trigram still works
  EXPECT_EQ(count("100% s"), 1);
  EXPECT_EQ(count("sync_up"), 1);
  EXPECT_EQ(count("syncXup"), 0);  // '_' is not a wildcard
  a.name = "Annual Plan";
  ASSERT_TRUE(store_->update_booking(a, a.version, {}).ok());
  EXPECT_EQ(count("review"), 0);
  EXPECT_EQ(count("annual"), 1);
  ASSERT_TRUE(store_->delete_booking(b.id, {kT0, "alice"}, {}).ok());
  EXPECT_EQ(count("weekly"), 0);
}

TEST_P(StoreTest, NameSearchIgnoresCaseAndAccents) {
  ASSERT_TRUE(store_->insert_booking(sample_booking("Élise Dupont", "734101", kT0), {}).ok());
  ASSERT_TRUE(store_->insert_booking(sample_booking("Réunion d'ÉQUIPE", "734102", kT0), {}).ok());
  ASSERT_TRUE(store_->insert_booking(sample_booking("Elisabeth", "734103", kT0), {}).ok());
  auto names = [&](const std::string& text) {
    BookingQuery q;
    q.name_contains = text;
    q.sort = BookingSort::kNumber;
    const auto page = store_->search_bookings(q).value();
    std::string out;
    for (const auto& b : page.items) out += (out.empty() ? "" : "|") + b.name;
    return out;
  };
  EXPECT_EQ(names("élise"), "Élise Dupont");
  EXPECT_EQ(names("ELISE"), "Élise Dupont");
  EXPECT_EQ(names("Élise"), "Élise Dupont");
  EXPECT_EQ(names("elis"), "Élise Dupont|Elisabeth");
  EXPECT_EQ(names("équipe"), "Réunion d'ÉQUIPE");
  EXPECT_EQ(names("REUNION D'E"), "Réunion d'ÉQUIPE");
  EXPECT_EQ(names("Él"), "Élise Dupont|Elisabeth");  // shorter than a trigram
  EXPECT_EQ(names("éliz"), "");
}

TEST_P(StoreTest, MigrationV3MakesExistingNamesSearchable) {
  // A database at v2 holding bookings written before name_folded existed.
  TempDir dir;
  const std::string url = GetParam() == "sqlite" ? "sqlite://" + (dir.path() / "v2.db").string()
                                                 : testing::fresh_pg_database_url();
  ASSERT_FALSE(url.empty());
  auto store = open_store(url);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto* sql_store = dynamic_cast<detail::SqlStore*>(store->get());
  ASSERT_NE(sql_store, nullptr);
  ASSERT_TRUE(sql_store->migrate_to(2).ok());
  {
    soci::session sql(GetParam() == "sqlite" ? "sqlite3" : "postgresql",
                      GetParam() == "sqlite" ? "db=" + (dir.path() / "v2.db").string()
                                             : detail::postgres_connect_string(url));
    int n = 0;
    for (const std::string name : {"Élise Dupont", "Comité ÉCONOMIQUE", "Board"}) {
      const std::string number = "73420" + std::to_string(n++);
      sql << "INSERT INTO bookings (name, owner, number, user_pin, moderator_pin, created_at, valid_from, "
             "valid_until, duration_minutes, validity_days, max_participants, language, state, updated_at, "
             "version) VALUES (:name, 'alice', :number, '482915', '739164', 0, 0, 0, 60, 1, 10, 'fr', "
             "'scheduled', 0, 1)",
          soci::use(name, "name"), soci::use(number, "number");
    }
  }
  auto migrated = (*store)->migrate();
  ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  EXPECT_EQ((*store)->schema_version().value(), kLatestSchema);
  auto count = [&](const std::string& text) {
    BookingQuery q;
    q.name_contains = text;
    return (*store)->search_bookings(q).value().total;
  };
  EXPECT_EQ(count("ELISE"), 1);
  EXPECT_EQ(count("économique"), 1);
  EXPECT_EQ(count("board"), 1);
  EXPECT_EQ(count("o"), 3);
}

TEST_P(StoreTest, ScheduledLapsedFindsOnlyExpiredScheduledBookings) {
  ASSERT_TRUE(store_->insert_booking(sample_booking("old", "700001", kT0 - std::chrono::days{2}), {}).ok());
  ASSERT_TRUE(store_->insert_booking(sample_booking("edge", "700002", kT0 - std::chrono::days{1}), {}).ok());
  ASSERT_TRUE(store_->insert_booking(sample_booking("live", "700003", kT0 - std::chrono::hours{1}), {}).ok());
  auto ended = sample_booking("done", "700004", kT0 - std::chrono::days{3});
  ended.state = domain::BookingState::kEnded;
  ASSERT_TRUE(store_->insert_booking(ended, {}).ok());
  auto lapsed = store_->scheduled_lapsed(kT0, 100).value();
  ASSERT_EQ(lapsed.size(), 2u);
  EXPECT_EQ(lapsed[0].name, "old");
  EXPECT_EQ(lapsed[1].name, "edge");
}

TEST_P(StoreTest, CountBookingsInForceCountsTheOwnersScheduledAndActiveOnes) {
  ASSERT_TRUE(store_->insert_booking(sample_booking("lapsed", "710001", kT0 - std::chrono::days{2}), {}).ok());
  ASSERT_TRUE(store_->insert_booking(sample_booking("soon", "710002", kT0 + std::chrono::hours{1}), {}).ok());
  auto active = sample_booking("running", "710003", kT0 - std::chrono::days{3});
  active.state = domain::BookingState::kActive;
  active.opened_at = kT0 - std::chrono::days{3};
  ASSERT_TRUE(store_->insert_booking(active, {}).ok());
  auto ended = sample_booking("done", "710004", kT0 - std::chrono::hours{1});
  ended.state = domain::BookingState::kEnded;
  ended.end_reason = domain::EndReason::kEndedByAdmin;
  ended.ended_at = kT0;
  ASSERT_TRUE(store_->insert_booking(ended, {}).ok());
  auto other = sample_booking("bobs", "710005", kT0);
  other.owner = "bob";
  ASSERT_TRUE(store_->insert_booking(other, {}).ok());
  auto gone = store_->insert_booking(sample_booking("gone", "710006", kT0), {});
  ASSERT_TRUE(gone.ok());
  ASSERT_TRUE(store_->delete_booking(gone->id, Deletion{kT0, "alice"}, {}).ok());
  EXPECT_EQ(store_->count_bookings_in_force("alice", kT0).value(), 2);  // "soon" and "running"
  EXPECT_EQ(store_->count_bookings_in_force("bob", kT0).value(), 1);
  EXPECT_EQ(store_->count_bookings_in_force("carol", kT0).value(), 0);
}

TEST_P(StoreTest, UsersCrudAndUniqueness) {
  User u;
  u.username = "alice";
  u.display_name = "Alice";
  u.email = "alice@example.com";
  u.mobile = "+33612345678";
  u.password_hash = "$argon2id$x";
  u.phone_account = "1001";
  u.caller_numbers = "+33140000001 2001";
  u.created_at = kT0;
  auto stored = store_->add_user(u);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  u.id = stored->id;
  EXPECT_EQ(store_->find_user("alice").value(), u);
  EXPECT_EQ(store_->get_user(u.id).value(), u);
  EXPECT_EQ(store_->find_user_by_phone_account("1001").value(), u);
  // Candidates for a caller number: by the end of the mobile or of any caller number; digits only.
  EXPECT_EQ(store_->find_users_by_number("12345678").value(), std::vector<User>{u});
  EXPECT_EQ(store_->find_users_by_number("40000001").value(), std::vector<User>{u});
  EXPECT_EQ(store_->find_users_by_number("2001").value(), std::vector<User>{u});
  EXPECT_TRUE(store_->find_users_by_number("99999999").value().empty());
  EXPECT_TRUE(store_->find_users_by_number("%").value().empty());
  EXPECT_TRUE(store_->find_users_by_number("").value().empty());
  EXPECT_EQ(store_->find_user("nobody").error().code, ErrorCode::kNotFound);

  User dup = u;
  dup.phone_account = "";
  auto d1 = store_->add_user(dup);
  ASSERT_FALSE(d1.ok());
  EXPECT_EQ(d1.error().fields.at(0).field, "username");
  dup.username = "bob";
  dup.phone_account = "1001";
  auto d2 = store_->add_user(dup);
  ASSERT_FALSE(d2.ok());
  EXPECT_EQ(d2.error().fields.at(0).field, "phone_account");
  // Several users without a phone account are fine (NULL, not '').
  dup.phone_account = "";
  ASSERT_TRUE(store_->add_user(dup).ok());
  dup.username = "carol";
  ASSERT_TRUE(store_->add_user(dup).ok());

  u.role = "admin";
  u.disabled = true;
  ASSERT_TRUE(store_->update_user(u).ok());
  EXPECT_EQ(store_->find_user("alice")->role, "admin");
  EXPECT_TRUE(store_->find_user("alice")->disabled);
  auto all = store_->list_users().value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].username, "alice");
  EXPECT_EQ(all[2].username, "carol");
  ASSERT_TRUE(store_->delete_user(u.id).ok());
  EXPECT_EQ(store_->delete_user(u.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->list_users()->size(), 2u);
}

TEST_P(StoreTest, UsersKeepTheirSource) {
  User u;
  u.username = "dave";
  u.created_at = kT0;
  EXPECT_EQ(store_->add_user(u).value().source, "local");  // the default, also for rows older than v5
  User l = u;
  l.username = "erin";
  l.source = "ldap";
  l = store_->add_user(l).value();
  EXPECT_EQ(store_->find_user("erin")->source, "ldap");
  l.source = "local";
  ASSERT_TRUE(store_->update_user(l).ok());
  EXPECT_EQ(store_->find_user("erin")->source, "local");
  EXPECT_EQ(store_->find_user("dave")->source, "local");
}

TEST_P(StoreTest, AccessNumbersUpsert) {
  ASSERT_TRUE(
      store_->upsert_access_number({"0800123456", "Paris toll-free", "toll-free", domain::Language::kFrench})
          .ok());
  ASSERT_TRUE(store_->upsert_access_number({"0142000000", "Paris", "local", domain::Language::kFrench}).ok());
  ASSERT_TRUE(
      store_->upsert_access_number({"0800123456", "Free", "toll-free", domain::Language::kEnglish}).ok());
  auto all = store_->list_access_numbers().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1], (AccessNumber{"0800123456", "Free", "toll-free", domain::Language::kEnglish}));
  ASSERT_TRUE(store_->delete_access_number("0142000000").ok());
  EXPECT_EQ(store_->delete_access_number("0142000000").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, AuditIsPagedNewestFirst) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(store_
                    ->append_audit({0, kT0 + Millis{i}, i % 2 ? "bob" : "alice", "booking.create",
                                    "booking:" + std::to_string(i), "", "cli"})
                    .ok());
  }
  AuditQuery q;
  q.limit = 3;
  auto page = store_->list_audit(q).value();
  EXPECT_EQ(page.total, 7);
  ASSERT_EQ(page.items.size(), 3u);
  EXPECT_EQ(page.items[0].target, "booking:6");
  EXPECT_EQ(page.items[0].at, kT0 + Millis{6});
  q.actor = "bob";
  q.limit = 100;
  EXPECT_EQ(store_->list_audit(q)->total, 3);
}

TEST_P(StoreTest, OutboxRetriesAndGivesUp) {
  OutboxMessage m{0, "sms", "+33612345678", "", "Your conference 734912", {}, "pending", 0, kT0, "", kT0, "", "", "", std::nullopt, "", ""};
  auto a = store_->enqueue(m).value();
  m.next_attempt_at = kT0 + std::chrono::minutes{10};
  auto b = store_->enqueue(m).value();
  EXPECT_EQ(store_->count_pending_outbox().value(), 2);  // the backlog (/metrics): due or not
  auto due = store_->due_messages(kT0, 10).value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, a.id);
  ASSERT_TRUE(store_->mark_failed(a.id, "gateway down", kT0 + std::chrono::minutes{1}, false).ok());
  EXPECT_EQ(store_->count_pending_outbox().value(), 2);  // a retry is still pending
  EXPECT_TRUE(store_->due_messages(kT0, 10)->empty());
  due = store_->due_messages(kT0 + std::chrono::minutes{10}, 10).value();
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].attempts, 1);
  EXPECT_EQ(due[0].last_error, "gateway down");
  ASSERT_TRUE(store_->mark_sent(a.id, kT0 + std::chrono::minutes{10}).ok());
  ASSERT_TRUE(store_->mark_failed(b.id, "refused", kT0, true).ok());
  EXPECT_TRUE(store_->due_messages(kT0 + std::chrono::hours{1}, 10)->empty());
  EXPECT_EQ(store_->count_pending_outbox().value(), 0);  // sent and given up: none left
  EXPECT_EQ(store_->list_outbox("failed", 10)->size(), 1u);
  EXPECT_EQ(store_->list_outbox("sent", 10)->size(), 1u);
  EXPECT_EQ(store_->mark_sent(999, kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, OutboxRequeueSendsAgain) {
  OutboxMessage m{0, "email", "a@example.org", "Conference", "PIN 1234", {}, "pending", 0, kT0, "", kT0, "", "", "", std::nullopt, "", ""};
  auto a = store_->enqueue(m).value();
  EXPECT_EQ(store_->requeue_message(a.id, kT0).error().code, ErrorCode::kFailedPrecondition);  // still pending
  ASSERT_TRUE(store_->mark_failed(a.id, "refused", kT0, true).ok());
  auto back = store_->requeue_message(a.id, kT0 + std::chrono::hours{1}).value();
  EXPECT_EQ(back.status, "pending");
  EXPECT_EQ(back.attempts, 1);
  EXPECT_EQ(store_->due_messages(kT0 + std::chrono::hours{1}, 10)->size(), 1u);
  EXPECT_EQ(store_->requeue_message(999, kT0).error().code, ErrorCode::kNotFound);
  OutboxQuery q;
  q.status = "pending";
  EXPECT_EQ(store_->find_outbox(q)->size(), 1u);
  q.owner = "nobody";
  EXPECT_TRUE(store_->find_outbox(q)->empty());
}

TEST_P(StoreTest, OutboxClaimIsTakenOnceAndTheCalendarAndHtmlAreKept) {
  OutboxMessage m{0, "email", "a@example.com", "s", "b", {}, "pending", 0, kT0, "", kT0, "", "", "", std::nullopt, "", ""};
  m.calendar = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n";
  m.html = "<p>Conf\u00e9rence <b>x</b></p>";
  auto a = store_->enqueue(m).value();
  auto due = store_->due_messages(kT0, 10).value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].calendar, m.calendar);
  EXPECT_EQ(due[0].html, m.html);
  EXPECT_EQ(store_->due_messages_for("email", kT0, 10)->size(), 1u);
  EXPECT_TRUE(store_->due_messages_for("sms", kT0, 10)->empty());
  const TimePoint lease = kT0 + std::chrono::minutes{2};
  EXPECT_TRUE(store_->claim_message(a.id, due[0].next_attempt_at, lease).value());
  EXPECT_FALSE(store_->claim_message(a.id, due[0].next_attempt_at, lease).value());  // already taken
  EXPECT_TRUE(store_->due_messages(kT0 + std::chrono::minutes{1}, 10)->empty());     // held while sending
  ASSERT_TRUE(store_->mark_sent(a.id, kT0).ok());
  EXPECT_FALSE(store_->claim_message(a.id, kT0, lease).value());  // sent: never taken again
}

// Issue 15 item 3: an SMS row gets a token of its own; a report is kept only with it, and a less final one
// never replaces a more final one.
TEST_P(StoreTest, SmsDeliveryReportIsKeptWithTheRowsTokenOnly) {
  OutboxMessage m{0, "sms", "+33612345678", "", "Your conference 734912", {}, "pending", 0, kT0, "", kT0, "", "", "", std::nullopt, "", ""};
  auto sms = store_->enqueue(m).value();
  OutboxMessage mail{0, "email", "a@example.org", "s", "b", {}, "pending", 0, kT0, "", kT0, "", "", "", std::nullopt, "", ""};
  auto email = store_->enqueue(mail).value();
  auto rows = store_->list_outbox("", 10).value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].report_token.size(), 64u);
  EXPECT_EQ(rows[0].report_token, sms.report_token);
  EXPECT_TRUE(rows[1].report_token.empty());
  EXPECT_EQ(rows[0].report_state, "");
  EXPECT_FALSE(rows[0].report_at);

  const DeliveryReport delivered{"delivered", kT0 + std::chrono::seconds{5}, "id:1 stat:DELIVRD"};
  std::string wrong = sms.report_token;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(store_->record_delivery_report(sms.id, wrong, delivered).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->record_delivery_report(sms.id, "", delivered).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->record_delivery_report(email.id, "", delivered).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->record_delivery_report(999, sms.report_token, delivered).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->list_outbox("", 10)->front().report_state, "");

  ASSERT_TRUE(store_->record_delivery_report(sms.id, sms.report_token, delivered).ok());
  ASSERT_TRUE(store_->record_delivery_report(sms.id, sms.report_token, {"buffered", kT0, "late"}).ok());
  auto row = store_->list_outbox("", 10)->front();
  EXPECT_EQ(row.report_state, "delivered");  // a late "buffered" does not undo it
  EXPECT_EQ(row.report_at, kT0 + std::chrono::seconds{5});
  EXPECT_EQ(row.report_answer, "id:1 stat:DELIVRD");
  ASSERT_TRUE(store_->record_delivery_report(sms.id, sms.report_token, {"failed", kT0, "part 2"}).ok());
  EXPECT_EQ(store_->list_outbox("", 10)->front().report_state, "failed");  // one failed part fails it
}

// Issue 15 item 4: a booking's reminder is written once (the mark goes in with the rows), and again when its
// start moves; an unused booking's notice once.
TEST_P(StoreTest, RemindersAreWrittenOnceAndAgainForAMovedStart) {
  const TimePoint start = kT0 + std::chrono::minutes{10};
  auto b = store_->insert_booking(sample_booking("Budget", "734912", start), {}).value();
  ASSERT_TRUE(store_->insert_booking(sample_booking("Later", "734913", kT0 + std::chrono::hours{2}), {}).ok());
  auto due = store_->bookings_to_remind(kT0, kT0 + std::chrono::minutes{15}, 10).value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, b.id);
  OutboxMessage m{0, "email", "alice@example.org", "Reminder", "b", b.id, "pending", 0, kT0, "", kT0, "", "", "", std::nullopt, "", ""};
  EXPECT_TRUE(store_->enqueue_once(b.id, "reminder", start, {m, m}).value());
  EXPECT_FALSE(store_->enqueue_once(b.id, "reminder", start, {m, m}).value());  // another node, a restart
  EXPECT_EQ(store_->list_outbox("", 10)->size(), 2u);
  EXPECT_TRUE(store_->bookings_to_remind(kT0, kT0 + std::chrono::minutes{15}, 10)->empty());

  b.valid_from = start + std::chrono::minutes{2};  // moved: reminded again for its new start
  b = store_->update_booking(b, b.version, {}).value();
  due = store_->bookings_to_remind(kT0, kT0 + std::chrono::minutes{15}, 10).value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(store_->enqueue_once(b.id, "reminder", b.valid_from, {m}).value());
  EXPECT_EQ(store_->list_outbox("", 10)->size(), 3u);

  EXPECT_TRUE(store_->lapsed_unused(kT0, kT0 + std::chrono::days{3}, 10)->empty());
  b.state = domain::BookingState::kEnded;
  b.end_reason = domain::EndReason::kExpiredUnused;
  b.ended_at = b.valid_until();
  b = store_->update_booking(b, b.version, {}).value();
  auto unused = store_->lapsed_unused(kT0, kT0 + std::chrono::days{3}, 10).value();
  ASSERT_EQ(unused.size(), 1u);
  EXPECT_TRUE(store_->lapsed_unused(*b.ended_at + std::chrono::seconds{1}, kT0 + std::chrono::days{3}, 10)
                  ->empty());
  EXPECT_TRUE(store_->enqueue_once(b.id, "unused", *b.ended_at, {m}).value());
  EXPECT_TRUE(store_->lapsed_unused(kT0, kT0 + std::chrono::days{3}, 10)->empty());
}

}  // namespace
}  // namespace confpro::store

namespace confpro::store::detail {
std::string postgres_connect_string(const std::string& url);
namespace {

TEST(OpenStore, PostgresUrlGoesToLibpqAsItIs) {
  EXPECT_EQ(postgres_connect_string("postgresql://conf:p%40ss@db.example.com:5433/confpro?sslmode=require"),
            "postgresql://conf:p%40ss@db.example.com:5433/confpro?sslmode=require");
  EXPECT_EQ(postgres_connect_string("postgresql://127.0.0.1/x"), "postgresql://127.0.0.1/x?application_name=confpro");
  EXPECT_EQ(postgres_connect_string("postgres://u@[::1]:5432/d?"), "postgres://u@[::1]:5432/d?application_name=confpro");
}

// libpq itself reads the URI: user, percent-escaped password, host, port and database, with and without options
// (SOCI 4.0.3 broke the form without '=' before postgres_connect_string added one).
TEST(OpenStore, PostgresUrisConnect) {
  const std::string admin = testing::test_pg_admin_url();
  if (admin.empty()) GTEST_SKIP() << "no PostgreSQL server (CONFPRO_TEST_PG_URL / the confpro_pg fixture)";
  const auto rest = admin.substr(admin.find("://") + 3);         // postgres@127.0.0.1:port/postgres
  const auto host_db = rest.substr(rest.find('@') + 1);           // 127.0.0.1:port/postgres
  const auto user = rest.substr(0, rest.find_first_of(":@"));
  for (const std::string& url : {"postgresql://" + user + ":it%27s%40x@" + host_db,
                                "postgres://" + user + "@" + host_db + "?sslmode=disable"}) {
    auto store = open_store(url);
    ASSERT_TRUE(store.ok()) << url << ": " << store.error().message;
  }
  auto missing = open_store("postgresql://" + user + "@" + host_db + "_no_such_db");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("_no_such_db\""), std::string::npos) << missing.error().message;
}

}  // namespace
}  // namespace confpro::store::detail


namespace confpro::store {
namespace {
// Issue 13: the slow-database mode of the fault-injecting store (CONFPRO_TEST_STORE_DELAY_MS in `confpro serve`).
TEST(FaultInjectingStore, DelaysEveryCallButTheExceptedOnesAndSlowCallsOverlap) {
  TempDir dir;
  auto inner = open_migrated(dir.path() / "confpro.db");
  ASSERT_TRUE(inner);
  FaultInjectingStore store(std::move(inner));
  store.set_delay(std::chrono::milliseconds(200), {"list_users"});
  auto took = [](auto&& fn) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::steady_clock::now() - start;
  };
  EXPECT_GE(took([&] { (void)store.find_booking_by_number("123456"); }), std::chrono::milliseconds(200));
  EXPECT_LT(took([&] { (void)store.list_users(); }), std::chrono::milliseconds(150));
  // Two threads at once wait 200 ms together, not 400 ms in turn.
  const auto both = took([&] {
    std::thread other([&] { (void)store.find_user("alice"); });
    (void)store.find_user("bob");
    other.join();
  });
  EXPECT_LT(both, std::chrono::milliseconds(380));
  store.set_delay(std::chrono::milliseconds(0));
  EXPECT_LT(took([&] { (void)store.find_user("alice"); }), std::chrono::milliseconds(150));
}

}  // namespace
}  // namespace confpro::store
