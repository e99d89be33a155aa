// The SOCI implementation of Store for SQLite and PostgreSQL (internal to store/; others use store.h).
// Thread safety: a pool of sessions; each public call leases one for its whole unit of work.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "common/thread_annotations.h"
#include "store/soci_include.h"
#include "store/store.h"

namespace confpro::store::detail {

enum class Dialect { kSqlite, kPostgres };

// A transaction that rolls back unless committed. SQLite: BEGIN IMMEDIATE, so a read-then-write takes the
// write lock first and waits (busy timeout) instead of failing with "database is locked" at the write.
class Tx {
 public:
  Tx(soci::session& sql, Dialect dialect);
  ~Tx();
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  void commit();

 private:
  soci::session& sql_;
  bool done_ = false;
};

// Turns a SOCI/std exception into an Error (SqlStore::run is the one place that catches them): a unique
// violation → kAlreadyExists naming the field; a foreign key, NOT NULL or CHECK violation → kFailedPrecondition
// (retrying cannot help); any other database failure → kUnavailable; anything else → kInternal.
Error translate_exception(const std::exception& e, const char* what);

// Booking rows <-> domain::Booking.
Result<domain::Booking> load_booking(soci::session& sql, const std::string& where_sql, std::int64_t id,
                                     const std::string& text);
std::vector<domain::Booking> load_bookings(soci::session& sql, const std::string& where_sql,
                                           const std::function<void(soci::statement&)>& bind);
// The paged lists' two halves (bookings, sessions, audit): how many rows match `from_where` ("FROM … WHERE …",
// its named parameters bound by `bind`), and the " LIMIT … OFFSET …" of one page with the bounds every list
// accepts (1 to 1000 rows, offset ≥ 0).
std::int64_t count_matching(soci::session& sql, const std::string& from_where,
                            const std::function<void(soci::statement&)>& bind);
std::string page_clause(int limit, int offset);
// For the soci::type_conversion<T> specialisations that read a row (sessions_sql.cpp): an integer column,
// whatever width the backend describes it with (SQLite's INTEGER PRIMARY KEY, PostgreSQL's BIGINT), and a
// nullable one as nullopt.
std::int64_t int_at(const soci::values& v, std::size_t i);
std::optional<std::int64_t> optional_int_at(const soci::values& v, std::size_t i);
// Deleted bookings (issue 12 item 8) among `bookings`: gives each its own number and name back (the row keeps
// tombstones) and returns when and by whom it was deleted, by booking id.
std::map<std::int64_t, Deletion> restore_deleted(soci::session& sql, std::vector<domain::Booking>& bookings);
void write_invitees(soci::session& sql, std::int64_t booking_id,
                    const std::vector<domain::Invitee>& invitees);
void write_effects(soci::session& sql, Dialect dialect, const SideEffects& effects);
// The ledger lines of `effects` about booking `booking_id` (ledger_sql.cpp): kResourceExhausted when a hold
// exceeds what the account has available, kNotFound for an unknown account. Inside the caller's transaction.
Status write_ledger(soci::session& sql, Dialect dialect, const std::vector<LedgerEntry>& entries,
                    std::int64_t booking_id);
// Releases every hold still outstanding for `booking_id` (the booking is deleted): one "release" line each.
void release_holds(soci::session& sql, std::int64_t booking_id, TimePoint at, const std::string& actor,
                   const std::string& note);
// An outbox row; an SMS row without report_token gets a new one (new_report_token: 64 random hex digits).
std::int64_t insert_outbox(soci::session& sql, const OutboxMessage& m);
// Set by insert_outbox (and a re-send) on the writing thread; SqlStore::run reads and clears it once the unit of
// work returned (its transaction committed) and then calls the outbox listener.
extern thread_local bool outbox_rows_written;
// The mark (booking, what, at) and, when it was not there yet, `rows`; inside the caller's transaction. Whether
// they were written.
bool write_once(soci::session& sql, BookingId booking, const std::string& what, TimePoint at,
                const std::vector<OutboxMessage>& rows);
std::string new_report_token();

// The storage URL for SOCI's postgresql backend, which hands it to libpq's PQconnectdb: libpq reads
// postgresql:// URIs itself (percent-escapes, [ipv6] hosts, ?options). One wrinkle: SOCI 4.0.3's factory rebuilds
// the string as key=value words to take out its own `singlerows` option, and a word without '=' gains one
// ("postgresql://u@h/db" reached libpq as ".../db=": database "db=" does not exist). A URI with any '=' passes
// unchanged, so one without gets "?application_name=confpro" (which also names our sessions in pg_stat_activity).
std::string postgres_connect_string(const std::string& url);

// The migrations, in order; migration i (1-based) brings the schema to version i.
std::vector<std::string> migrations(Dialect dialect);
// The part of migration `version` that is not SQL (run in its transaction, after its statements): v3 fills
// bookings.name_folded of existing rows (and rebuilds the SQLite trigram index over it).
void after_migration(soci::session& sql, Dialect dialect, int version);

class SqlStore final : public Store {
 public:
  SqlStore(Dialect dialect, std::string backend, std::string connect_string, int pool_size);
  Status connect();

  Status migrate() override;
  // Applies the migrations up to `version` only (tests of a later migration over older data).
  Status migrate_to(int version);
  Result<int> schema_version() override;

  Result<User> add_user(const User& user) override;
  Result<User> get_user(UserId id) override;
  Result<User> find_user(const std::string& username) override;
  Result<User> find_user_by_phone_account(const std::string& phone_account) override;
  Result<std::vector<User>> find_users_by_number(const std::string& digits) override;
  Result<std::vector<User>> list_users() override;
  Status update_user(const User& user) override;
  Status delete_user(UserId id) override;

  Status upsert_access_number(const AccessNumber& number) override;
  Result<std::vector<AccessNumber>> list_access_numbers() override;
  Status delete_access_number(const std::string& number) override;

  Result<domain::Booking> insert_booking(const domain::Booking& booking, const SideEffects& effects) override;
  Result<domain::Booking> get_booking(BookingId id) override;
  Result<domain::Booking> find_booking_by_number(const std::string& number) override;
  Result<domain::Booking> find_booking_by_name(const std::string& name) override;
  Result<domain::Booking> update_booking(const domain::Booking& booking, int expected_version,
                                         const SideEffects& effects) override;
  Status delete_booking(BookingId id, const Deletion& deletion, const SideEffects& effects) override;
  Result<Page<domain::Booking>> search_bookings(const BookingQuery& query) override;
  Result<std::vector<domain::Booking>> scheduled_lapsed(TimePoint now, int limit) override;
  Result<std::vector<domain::Booking>> active_overdue(TimePoint now, int limit) override;
  Result<int> count_bookings_in_force(const std::string& owner, TimePoint now) override;

  Result<ConferenceSession> open_session(const ConferenceSession& session) override;
  Status close_session(SessionId id, TimePoint closed_at, const std::string& reason) override;
  Status set_recording_path(SessionId id, const std::string& path) override;
  Result<ConferenceSession> get_session(SessionId id) override;
  Result<Page<SessionWithBooking>> list_sessions(const SessionQuery& query) override;
  Status mark_cdr_exported(const std::vector<SessionId>& sessions, TimePoint at) override;

  Result<ParticipantConnection> start_connection(const ParticipantConnection& connection) override;
  Status end_connection(ConnectionId id, TimePoint left_at, const std::string& reason, double loss_fraction,
                        double jitter_ms, double rtt_ms) override;
  Result<std::vector<ParticipantConnection>> list_connections(SessionId session) override;
  Result<InterruptedCounts> close_interrupted(TimePoint now, const std::string& node) override;
  Status record_node_beat(const NodeBeat& beat) override;
  Result<NodeBeat> node_beat(const std::string& node) override;
  Result<std::vector<NodeBeat>> list_node_beats() override;
  Result<PurgeCounts> purge_history(TimePoint before, bool dry_run, const SideEffects& effects) override;

  Status append_audit(const AuditEntry& entry) override;
  Result<Page<AuditEntry>> list_audit(const AuditQuery& query) override;

  Result<OutboxMessage> enqueue(const OutboxMessage& message) override;
  Result<std::vector<OutboxMessage>> due_messages(TimePoint now, int limit) override;
  Result<std::vector<OutboxMessage>> due_messages_for(const std::string& kind, TimePoint now,
                                                      int limit) override;
  Status mark_sent(std::int64_t id, TimePoint at) override;
  Status mark_failed(std::int64_t id, const std::string& error, TimePoint next_attempt_at,
                     bool give_up) override;
  Result<std::vector<OutboxMessage>> list_outbox(const std::string& status, int limit) override;
  Result<std::int64_t> count_pending_outbox() override;
  Result<bool> claim_message(std::int64_t id, TimePoint seen, TimePoint lease_until) override;
  Result<std::vector<OutboxMessage>> find_outbox(const OutboxQuery& query) override;
  Result<OutboxMessage> requeue_message(std::int64_t id, TimePoint now) override;
  Status record_delivery_report(std::int64_t id, const std::string& token,
                                const DeliveryReport& report) override;
  Result<std::vector<domain::Booking>> bookings_to_remind(TimePoint from, TimePoint to, int limit) override;
  Result<std::vector<domain::Booking>> lapsed_unused(TimePoint from, TimePoint to, int limit) override;
  Result<bool> enqueue_once(BookingId booking, const std::string& what, TimePoint at,
                            const std::vector<OutboxMessage>& rows) override;
  void set_outbox_listener(std::function<void()> listener) override;

  Result<Report> report(const ReportQuery& query) override;

  Result<BillingAccount> insert_account(const BillingAccount& account, const LedgerEntry& opening) override;
  Result<AccountBalance> get_account(const std::string& name) override;
  Result<std::vector<AccountBalance>> list_accounts() override;
  Status set_account_members(const std::string& name, const std::vector<std::string>& members,
                             const AuditEntry& audit) override;
  Result<LedgerEntry> append_ledger(const LedgerEntry& entry, const AuditEntry& audit) override;
  using Store::list_ledger;
  Result<std::vector<LedgerEntry>> list_ledger(const std::string& account, int limit, int offset) override;
  Result<std::vector<CaptureLine>> list_captures(TimePoint from, TimePoint to) override;
  Result<std::vector<LedgerEntry>> ledger_of_booking(BookingId booking) override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> holds_of(BookingId booking) override;

  Result<ConferenceClaim> claim_conference(const ConferenceClaim& wanted, TimePoint now,
                                           std::chrono::milliseconds ttl) override;
  Result<int> renew_claims(const std::string& node, TimePoint now, std::chrono::milliseconds ttl) override;
  Status release_claim(const std::string& number, const std::string& node) override;
  Result<std::optional<ConferenceClaim>> conference_owner(const std::string& number, TimePoint now) override;

 private:
  template <typename T>
  Result<T> run(const char* what, const std::function<Result<T>(soci::session&)>& work);
  Status run_status(const char* what, const std::function<Status(soci::session&)>& work);
  void outbox_written();  // tells the listener, if any


  Dialect dialect_;
  std::string backend_;
  std::string connect_string_;
  int pool_size_;
  soci::connection_pool pool_;
  Mutex listener_mu_;
  std::function<void()> listener_ GUARDED_BY(listener_mu_);
};

// A session whose connection broke (PostgreSQL restarted, network cut) reconnects before it goes back to the
// pool, so the next call can succeed; the failed call itself reports kUnavailable.
void heal_session(soci::session& sql);

template <typename T>
Result<T> SqlStore::run(const char* what, const std::function<Result<T>(soci::session&)>& work) {
  std::optional<soci::session> sql;
  try {
    sql.emplace(pool_);
    outbox_rows_written = false;
    Result<T> result = work(*sql);
    if (std::exchange(outbox_rows_written, false) && result.ok()) outbox_written();
    return result;
  } catch (const std::exception& e) {
    outbox_rows_written = false;
    if (sql) heal_session(*sql);
    return translate_exception(e, what);
  }
}

}  // namespace confpro::store::detail
