// Durable storage (ARCHITECTURE.md store/): users, access numbers, bookings, conference sessions, participant
// connections, audit log, notification outbox, reports. One interface, implemented over SOCI for SQLite and
// PostgreSQL; no SQL types leak out of this folder.
//
// Durability: every write is committed (SQLite: WAL + synchronous=FULL) before the call returns, so a write
// that returned survives kill -9. Writes that go together (a booking, its audit entry and its outbox rows)
// are one transaction: all or nothing.
//
// Thread safety: every method may be called from any thread at the same time (a session per call from a pool;
// SQLite writers wait up to 5 s for the lock). Do not call from the control loop for slow queries (reports,
// searches); booking and connection writes are a few ms.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/strong_id.h"
#include "common/time.h"
#include "domain/booking.h"

namespace confpro::store {

struct User {
  UserId id;             // 0 until stored
  std::string username;  // unique
  std::string display_name;
  std::string email;               // "" when none
  std::string mobile;              // "" when none; for SMS (N2)
  std::string role = "organizer";  // "admin" | "organizer"
  std::string password_hash;       // argon2id string (directory/password.h); "" = cannot log in on the web
  std::string phone_account;   // digits, unique when set; identifies the user on the phone (I3); "" = none
  std::string phone_pin_hash;  // argon2id of the numeric phone PIN; "" = cannot create by phone
  int phone_default_duration_minutes = 0;  // for bookings created by phone; 0 = the configured default
  int phone_default_max_participants = 0;  // idem
  bool disabled = false;
  TimePoint created_at{};
  // Where the account lives: "local" (password here) or "ldap" (provisioned at its first LDAP login; no local
  // password, its name, mail, mobile and role refreshed from the directory at each login).
  std::string source = "local";
  // More numbers the user calls from (their desk phone, an IP phone), recognised like the mobile when they
  // call to create a conference (I3): tidy forms (domain::tidy_phone) separated by spaces; from the directory's
  // caller-number attributes for an LDAP user; "" = none.
  std::string caller_numbers;
  bool operator==(const User&) const = default;
};

// One dialled number leading to the service (I1).
struct AccessNumber {
  std::string number;  // digits, unique
  std::string label;
  std::string kind = "local";  // "toll-free" | "local"
  domain::Language language = domain::Language::kFrench;
  bool operator==(const AccessNumber&) const = default;
};

// One opening of a booking: from its first join to its end.
struct ConferenceSession {
  SessionId id;  // 0 until stored
  BookingId booking;
  std::string number;  // conference number at the time
  TimePoint opened_at{};
  std::optional<TimePoint> closed_at;
  std::string close_reason;    // domain::to_string(EndReason) once closed, "" while open
  std::string recording_path;  // "" when not recorded
  std::string node;            // node that hosted it
  bool operator==(const ConferenceSession&) const = default;
};

// One participant call leg in a session.
struct ParticipantConnection {
  ConnectionId id;  // 0 until stored
  SessionId session;
  BookingId booking;
  std::string caller_number;  // normalized, or "anonymous"
  std::string caller_name;
  std::string invitee;        // the booking's invitee this caller was (e-mail, else phone; B8), "" if none
  std::string role = "user";  // "user" | "moderator"
  std::string access_number;  // number dialled; "" for dial-outs / direct
  std::string call_ref;       // SIP Call-ID or dial-out id
  TimePoint joined_at{};
  std::optional<TimePoint> left_at;
  std::string leave_reason;  // "hangup", "ejected", "conference-ended", "interrupted", …
  std::string codec;
  std::string remote_address;
  double loss_fraction = 0;  // quality at leave (RTCP), 0..1
  double jitter_ms = 0;
  double rtt_ms = 0;
  bool operator==(const ParticipantConnection&) const = default;
};

struct AuditEntry {
  std::int64_t id = 0;  // 0 until stored
  TimePoint at{};
  std::string actor;    // username, or "system"
  std::string action;   // e.g. "booking.create", "booking.update", "user.add"
  std::string target;   // e.g. "booking:12", "user:alice"
  std::string details;  // free text or JSON
  std::string source;   // "web" | "cli" | "phone" | "api" | "system"
  bool operator==(const AuditEntry&) const = default;
};

struct OutboxMessage {
  std::int64_t id = 0;         // 0 until stored
  std::string kind = "email";  // "email" | "sms"
  std::string recipient;       // e-mail address or phone number
  std::string subject;         // "" for SMS
  std::string body;
  BookingId booking;               // 0 when not about a booking (or the booking was deleted)
  std::string status = "pending";  // "pending" | "sent" | "failed" (given up)
  int attempts = 0;
  TimePoint next_attempt_at{};
  std::string last_error;
  TimePoint created_at{};
  std::string calendar;  // e-mail: an iCalendar (METHOD:REQUEST|CANCEL) sent as invitation; "" = none
  // SMS delivery report (issue 15 item 3): the gateway calls back a URL carrying the row id and this token.
  std::string report_token;  // random, set by the store for SMS rows; "" for e-mail
  std::string report_state;  // "" (no report yet) | "buffered" | "accepted" | "delivered" | "failed"
  std::optional<TimePoint> report_at;  // when the last report kept came
  std::string report_answer;           // what the SMSC said in it
  std::string html;  // e-mail: the operator's HTML part (an .html template); "" = made from `body` when sent
  bool operator==(const OutboxMessage&) const = default;
};

// One delivery report of an SMS (Kannel's dlr-url call, notify/sms_sender.h).
struct DeliveryReport {
  std::string state;   // "buffered" | "accepted" | "delivered" | "failed"
  TimePoint at{};
  std::string answer;  // the SMSC's answer, as the gateway passed it
};

// Billing (FEATURES.md P2, issue 16): an account pays for bookings; its ledger is append-only and its balance
// is the sum of its entries. Amounts are integer minor units (domain/money.h).
struct BillingAccount {
  std::int64_t id = 0;  // 0 until stored
  std::string name;     // unique
  std::string owner;    // the organizer it belongs to (a username)
  bool prepaid = true;  // prepaid: may not go below zero; postpaid: down to -credit_limit
  std::int64_t credit_limit = 0;
  std::string currency = "EUR";
  TimePoint created_at{};
  // Who else may pay with it (a shared account: an organization, a team): usernames and directory group DNs
  // (domain::member_of); they see its balance and statement. Empty: the owner only.
  std::vector<std::string> members = {};
  bool operator==(const BillingAccount&) const = default;
};

// One ledger line. `amount` moves the balance (credit, adjust, capture, refund), `hold` moves what is held
// for bookings not yet used (reserve +, release −, capture −).
struct LedgerEntry {
  std::int64_t id = 0;  // 0 until stored
  std::string account;  // account name
  TimePoint at{};
  std::string kind;  // "credit" | "adjust" | "reserve" | "release" | "capture" | "refund"
  std::int64_t amount = 0;
  std::int64_t hold = 0;
  BookingId booking;  // 0 when not about a booking (a credit, an adjustment)
  std::string actor;
  std::string note;
  bool operator==(const LedgerEntry&) const = default;
};

struct AccountBalance {
  BillingAccount account;
  std::int64_t balance = 0;  // sum of amounts
  std::int64_t held = 0;     // sum of holds
  // What a new reservation may still take.
  std::int64_t available() const { return balance - held + (account.prepaid ? 0 : account.credit_limit); }
};

// A captured amount (a "capture" ledger line) and what revenue is reported by (issue 16 item 5).
struct CaptureLine {
  LedgerEntry entry;     // entry.amount is negative: what the account paid
  std::string currency;  // the account's
  std::string owner;     // the booking's owner; the account's when the booking row is gone
  // Participant-milliseconds of the booking's connections per access number ("" = direct dialling and
  // dial-outs); empty when nobody connected.
  std::vector<std::pair<std::string, std::int64_t>> access_ms;
};

// Rows written in the same transaction as a booking change.
struct SideEffects {
  std::vector<AuditEntry> audit;
  std::vector<OutboxMessage> outbox;
  // Ledger lines about the booking (its id filled in on insert). A line that raises the hold is refused with
  // kResourceExhausted, naming the amount missing, when the account cannot cover it — checked inside the
  // transaction, so two bookings racing for the last credit cannot both pass.
  std::vector<LedgerEntry> ledger;
  // Rows written once (issue 15: the unused notice of a booking ended by expiry): the mark (booking, what, at)
  // and its rows, as enqueue_once writes them, in the same transaction; nothing when the mark was there.
  // Updates only (the booking id is known).
  struct Once {
    BookingId booking;
    std::string what;
    TimePoint at;
    std::vector<OutboxMessage> rows;
  };
  std::vector<Once> once;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;  // matching rows, ignoring limit/offset
};

// A conference's claim by one node (issue 18: several nodes on one PostgreSQL): the node that hosts (mixes) the
// conference while it lives; the others send its callers there. Keyed by the conference number (what a SIP
// proxy sees in the Request-URI). A claim lives until `expires_at` unless its node renews it.
struct ConferenceClaim {
  std::string number;    // the conference number (booking's), the key
  BookingId booking;     // the booking it belongs to
  std::string node;      // the owning node's name ([node] name)
  std::string sip_uri;   // where that node takes calls ([node] sip_uri)
  TimePoint claimed_at{};
  TimePoint renewed_at{};
  TimePoint expires_at{};
  bool operator==(const ConferenceClaim&) const = default;
};

enum class BookingSort { kValidFrom, kCreatedAt, kName, kNumber, kOwner, kState };

struct BookingQuery {
  std::string number_prefix;                  // "" = any
  std::string name_contains;                  // case-insensitive substring; "" = any
  std::string owner;                          // exact; "" = any
  std::optional<domain::BookingState> state;  // stored state
  std::optional<TimePoint> from;              // valid_from >= from
  std::optional<TimePoint> to;                // valid_from < to
  BookingSort sort = BookingSort::kValidFrom;
  bool descending = false;
  int limit = 50;  // 1..1000
  int offset = 0;
};

struct SessionQuery {
  std::optional<SessionId> session;  // that one session only
  std::optional<TimePoint> from;  // opened_at >= from
  std::optional<TimePoint> to;    // opened_at < to
  std::string owner;              // booking owner; "" = any
  std::optional<BookingId> booking;
  std::string number;        // exact conference number; "" = any
  bool closed_only = false;  // past sessions only
  bool open_only = false;    // live sessions only
  // Closed sessions not yet written to the CDR files (mark_cdr_exported) whose booking is no longer active, so
  // its ledger is settled (issue 16 P3).
  bool cdr_pending = false;
  bool descending = true;    // by opened_at
  int limit = 50;
  int offset = 0;
};

// Who deleted a booking and when (issue 12 item 8: deleting keeps what was used).
struct Deletion {
  TimePoint at{};
  std::string by;  // username, or "system"
  bool operator==(const Deletion&) const = default;
};

// A deleted booking comes back with its own number and name (not the tombstones the store keeps in their
// unique columns) and `deleted` set.
struct SessionWithBooking {
  ConferenceSession session;
  domain::Booking booking;
  std::optional<Deletion> deleted;
};

// What purge_history removes (or, on a dry run, would remove).
struct PurgeCounts {
  std::int64_t bookings = 0;
  std::int64_t sessions = 0;
  std::int64_t connections = 0;
  std::vector<std::string> recording_paths;  // of the sessions removed, for the caller to delete the files
};

struct InterruptedCounts {
  int sessions = 0;
  int connections = 0;
};

// A node's heartbeat, written every second by its operations sampler (app/operations.h): the last one says when
// a node that crashed was last alive (what close_interrupted closes its calls at, so the time it was down is
// never counted as connected or billed) and each node's load.
struct NodeBeat {
  std::string node;
  TimePoint at{};
  std::int64_t conferences = 0;
  std::int64_t participants = 0;
  bool operator==(const NodeBeat&) const = default;
};

struct AuditQuery {
  std::string actor;   // "" = any
  std::string target;  // "" = any
  int limit = 100;
  int offset = 0;  // newest first
};

// The notifications view (issue 15 item 5): newest first.
struct OutboxQuery {
  std::string status;  // "" = any
  BookingId booking;   // 0 = any
  std::string owner;   // "" = any; else only rows of bookings this user owns
  int limit = 100;
};

// S5 reports for [from, to).
struct ReportQuery {
  TimePoint from{};
  TimePoint to{};
  std::string owner;              // "" = every owner
  std::string time_zone = "UTC";  // days of the per-day grouping are local days of this zone
};

// planned: bookings whose valid_from falls in the range; used: sessions opened in the range;
// conference_minutes: sum of their durations (open ones up to `to`); participant_minutes: sum of the
// durations of connections joined in the range (open ones up to `to`). Minutes are rounded down per range.
struct ReportRow {
  std::string key;  // owner, access number ("" = direct/dial-out), or day "YYYY-MM-DD"
  std::int64_t planned = 0;
  std::int64_t used = 0;
  std::int64_t conference_minutes = 0;
  std::int64_t participant_minutes = 0;
  bool operator==(const ReportRow&) const = default;
};

// One planned or used conference of a report: a booking planned in the range (valid_from in it) or with a
// session opened in it. Minutes and participants count its sessions/connections in the range.
struct ReportConference {
  BookingId id;
  std::string number;  // its own, also when deleted
  std::string name;
  std::string owner;
  TimePoint planned_start{};  // valid_from
  TimePoint planned_end{};    // end of the validity window
  int duration_minutes = 0;
  std::string state;  // "scheduled" | "active" | "ended" | "deleted"
  std::int64_t sessions = 0;
  std::int64_t conference_minutes = 0;
  std::int64_t participant_minutes = 0;
  std::int64_t participants = 0;  // connections
  bool operator==(const ReportConference&) const = default;
};

struct Report {
  ReportRow totals;
  std::vector<ReportRow> per_owner;  // sorted by key
  std::vector<ReportRow>
      per_access_number;           // planned: bookings created by phone on it; used/minutes: from
                                   // connections that came in on it (a session counts once per number)
  std::vector<ReportRow> per_day;  // sorted by day
  std::vector<ReportConference> conferences;  // by planned start, then id; at most kReportConferenceLimit
  bool conferences_truncated = false;
};

inline constexpr int kReportConferenceLimit = 5000;

class Store {
 public:
  virtual ~Store() = default;

  // Applies the migrations not yet applied, each once and in its own transaction. Idempotent.
  virtual Status migrate() = 0;
  virtual Result<int> schema_version() = 0;

  // Users. add: kAlreadyExists naming "username" or "phone_account". get/find: kNotFound.
  virtual Result<User> add_user(const User& user) = 0;
  virtual Result<User> get_user(UserId id) = 0;
  virtual Result<User> find_user(const std::string& username) = 0;
  virtual Result<User> find_user_by_phone_account(const std::string& phone_account) = 0;
  // Enabled users whose mobile or caller numbers contain `digits` (the end of a caller's number; digits only,
  // else none), at most 50, by id: the candidates a caller number is then compared with (domain::same_phone).
  virtual Result<std::vector<User>> find_users_by_number(const std::string& digits) = 0;
  virtual Result<std::vector<User>> list_users() = 0;                       // by username
  virtual Status update_user(const User& user) = 0;  // by id; kNotFound, kAlreadyExists
  virtual Status delete_user(UserId id) = 0;         // kNotFound

  // Access numbers.
  virtual Status upsert_access_number(const AccessNumber& number) = 0;
  virtual Result<std::vector<AccessNumber>> list_access_numbers() = 0;  // by number
  virtual Status delete_access_number(const std::string& number) = 0;   // kNotFound

  // Bookings. insert: returns the stored booking (id set, version 1); a unique conflict is kAlreadyExists
  // with FieldError "number" or "name". update: writes every field of `booking` (by id) if the stored version
  // equals `expected_version`, then returns it with version + 1; stale → kFailedPrecondition; kNotFound;
  // conflicts as insert. `effects` are written in the same transaction.
  virtual Result<domain::Booking> insert_booking(const domain::Booking& booking,
                                                 const SideEffects& effects) = 0;
  virtual Result<domain::Booking> get_booking(BookingId id) = 0;
  virtual Result<domain::Booking> find_booking_by_number(const std::string& number) = 0;
  virtual Result<domain::Booking> find_booking_by_name(const std::string& name) = 0;
  virtual Result<domain::Booking> update_booking(const domain::Booking& booking, int expected_version,
                                                 const SideEffects& effects) = 0;
  // Marks the booking deleted (issue 12 item 8): it leaves every booking read, search and number/name lookup
  // (its number and name become free), but its row, sessions and connections stay for the history and the
  // reports (list_sessions, report). Version + 1. kNotFound (also when already deleted).
  virtual Status delete_booking(BookingId id, const Deletion& deletion, const SideEffects& effects) = 0;
  virtual Result<Page<domain::Booking>> search_bookings(const BookingQuery& query) = 0;
  // Scheduled bookings whose window ended before `now` (valid_from + validity_days <= now), at most `limit`.
  virtual Result<std::vector<domain::Booking>> scheduled_lapsed(TimePoint now, int limit) = 0;
  // Active bookings whose duration ran out (opened_at + duration <= now) and that have no open session — left
  // behind by a crash (close_interrupted closed their sessions). At most `limit`.
  virtual Result<std::vector<domain::Booking>> active_overdue(TimePoint now, int limit) = 0;
  // How many bookings of `owner` are in force at `now` (booking policy B7, max_active_bookings): active, or
  // scheduled with a validity window not yet lapsed; deleted ones not counted.
  virtual Result<int> count_bookings_in_force(const std::string& owner, TimePoint now) = 0;

  // Sessions. open: returns it with its id. close: kNotFound, kFailedPrecondition when already closed.
  virtual Result<ConferenceSession> open_session(const ConferenceSession& session) = 0;
  virtual Status close_session(SessionId id, TimePoint closed_at, const std::string& reason) = 0;
  virtual Status set_recording_path(SessionId id, const std::string& path) = 0;
  virtual Result<ConferenceSession> get_session(SessionId id) = 0;
  virtual Result<Page<SessionWithBooking>> list_sessions(const SessionQuery& query) = 0;
  // The sessions' rows are in the CDR files (appended and synced): they leave SessionQuery::cdr_pending.
  virtual Status mark_cdr_exported(const std::vector<SessionId>& sessions, TimePoint at) = 0;

  // Connections. end: kNotFound; ending an ended connection is kFailedPrecondition.
  virtual Result<ParticipantConnection> start_connection(const ParticipantConnection& connection) = 0;
  virtual Status end_connection(ConnectionId id, TimePoint left_at, const std::string& reason,
                                double loss_fraction, double jitter_ms, double rtt_ms) = 0;
  virtual Result<std::vector<ParticipantConnection>> list_connections(SessionId session) = 0;  // by joined_at

  // Removes, in one transaction with `effects`, the bookings that are over — ended or deleted, with no open
  // session — and whose end (ended_at, else deleted_at, else the end of the validity window) and every
  // session are before `before`, with their sessions, connections and invitees. dry_run: counts only, writes
  // nothing.
  virtual Result<PurgeCounts> purge_history(TimePoint before, bool dry_run, const SideEffects& effects) = 0;

  // At start: closes every open session (reason "interrupted", closed_at = `now`, the time the previous run was
  // last alive, never before it opened) and ends every open connection (reason "interrupted", likewise), in one
  // transaction. Pass `node` to touch only this node's sessions (""
  // = all).
  virtual Result<InterruptedCounts> close_interrupted(TimePoint now, const std::string& node) = 0;
  // The node's latest heartbeat replaces its previous one. node_beat: kNotFound for a node that never beat.
  virtual Status record_node_beat(const NodeBeat& beat) = 0;
  virtual Result<NodeBeat> node_beat(const std::string& node) = 0;
  // Every node's latest heartbeat, by name.
  virtual Result<std::vector<NodeBeat>> list_node_beats() = 0;

  // Audit log.
  virtual Status append_audit(const AuditEntry& entry) = 0;
  virtual Result<Page<AuditEntry>> list_audit(const AuditQuery& query) = 0;

  // Outbox (N3). due: pending messages with next_attempt_at <= now, oldest first. mark_failed: attempts + 1,
  // last_error, and either a retry at `next_attempt_at` or, when `give_up`, status "failed".
  virtual Result<OutboxMessage> enqueue(const OutboxMessage& message) = 0;
  virtual Result<std::vector<OutboxMessage>> due_messages(TimePoint now, int limit) = 0;
  // The same, of one kind only ("email" | "sms"): a kind nobody sends does not hold up the others.
  virtual Result<std::vector<OutboxMessage>> due_messages_for(const std::string& kind, TimePoint now,
                                                              int limit) = 0;
  virtual Status mark_sent(std::int64_t id, TimePoint at) = 0;
  virtual Status mark_failed(std::int64_t id, const std::string& error, TimePoint next_attempt_at,
                             bool give_up) = 0;
  virtual Result<std::vector<OutboxMessage>> list_outbox(const std::string& status,
                                                         int limit) = 0;  // "" = all
  // Rows still "pending" (waiting or retrying), due or not: the backlog /metrics reports (one indexed count).
  virtual Result<std::int64_t> count_pending_outbox() = 0;
  // Takes a due pending message for one sending attempt: moves its next_attempt_at from `seen` (what
  // due_messages returned) to `lease_until`, so that another worker (another node, or the CLI) does not take
  // it meanwhile. false when someone else took or changed it first. A crash while it is held only delays the
  // retry.
  virtual Result<bool> claim_message(std::int64_t id, TimePoint seen, TimePoint lease_until) = 0;
  virtual Result<std::vector<OutboxMessage>> find_outbox(const OutboxQuery& query) = 0;
  // Re-send: a "failed" or "sent" message goes back to "pending", due at `now` (attempts kept). kNotFound for
  // no such id, kPrecondition for a message still pending.
  virtual Result<OutboxMessage> requeue_message(std::int64_t id, TimePoint now) = 0;
  // Keeps a delivery report on SMS row `id` when `token` is the row's report_token (compared in constant time).
  // A report never replaces a more final one (failed > delivered > accepted > buffered): the parts of a long
  // SMS each report, and one failed part fails the message. kNotFound for an unknown id, a wrong token and a
  // row without token alike (a stranger learns nothing).
  virtual Status record_delivery_report(std::int64_t id, const std::string& token,
                                        const DeliveryReport& report) = 0;

  // Reminders (issue 15 item 4). A mark (booking, what, at) says the rows `what` ("reminder", "unused") of a
  // booking were written for its time `at`; it is written in the same transaction as the rows, so they are
  // written once whatever the number of nodes and restarts.
  // Scheduled, not deleted bookings with valid_from in [from, to) and no "reminder" mark at their valid_from
  // (a moved booking is reminded again), by valid_from; at most `limit`.
  virtual Result<std::vector<domain::Booking>> bookings_to_remind(TimePoint from, TimePoint to, int limit) = 0;
  // Bookings that ended expired-unused (never opened) with ended_at in [from, to) and no "unused" mark; at
  // most `limit`.
  virtual Result<std::vector<domain::Booking>> lapsed_unused(TimePoint from, TimePoint to, int limit) = 0;
  // Writes the mark and `rows` in one transaction: true; false (nothing written) when the mark was there.
  virtual Result<bool> enqueue_once(BookingId booking, const std::string& what, TimePoint at,
                                    const std::vector<OutboxMessage>& rows) = 0;
  // Called (on the writing thread, after the commit) each time this process wrote due outbox rows: new
  // rows, reminders, a re-send. The delivery worker wakes on it instead of waiting for its next poll; rows
  // written by another process (the CLI, another node) are still found by the poll. One listener; {} = none;
  // once this returned, the previous listener is not running and will not run. The listener must be short and
  // must not call the store.
  virtual void set_outbox_listener(std::function<void()> listener) = 0;

  // S5.
  virtual Result<Report> report(const ReportQuery& query) = 0;

  // P2 (issue 16). insert_account: kAlreadyExists for a taken name; `opening` (if not 0) is a first
  // "credit" line written with it.
  virtual Result<BillingAccount> insert_account(const BillingAccount& account, const LedgerEntry& opening) = 0;
  virtual Result<AccountBalance> get_account(const std::string& name) = 0;
  virtual Result<std::vector<AccountBalance>> list_accounts() = 0;
  // Replaces the account's members (BillingAccount::members), with its audit line, in one transaction.
  // kNotFound for an unknown account.
  virtual Status set_account_members(const std::string& name, const std::vector<std::string>& members,
                                     const AuditEntry& audit) = 0;
  // A credit or an adjustment (not about a booking). kNotFound for an unknown account.
  virtual Result<LedgerEntry> append_ledger(const LedgerEntry& entry, const AuditEntry& audit) = 0;
  // Newest first; `limit` 1..1000, skipping the `offset` newest.
  virtual Result<std::vector<LedgerEntry>> list_ledger(const std::string& account, int limit, int offset) = 0;
  Result<std::vector<LedgerEntry>> list_ledger(const std::string& account, int limit) {
    return list_ledger(account, limit, 0);
  }
  // The "capture" lines written in [from, to), oldest first, with what the revenue report groups them by.
  virtual Result<std::vector<CaptureLine>> list_captures(TimePoint from, TimePoint to) = 0;
  // Every ledger line about a booking, oldest first (the CDR files: which account paid, what was captured).
  virtual Result<std::vector<LedgerEntry>> ledger_of_booking(BookingId booking) = 0;
  // What is held for a booking, per account name (outstanding reservations).
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> holds_of(BookingId booking) = 0;

  // Conference claims (issue 18). Times come from the caller (every node's clock, NTP-synchronised: the skew
  // between nodes must stay well below the TTL). Each call is atomic on its own, also between processes.
  // claim_conference: claims `wanted.number` for `wanted.node` (and its booking, sip_uri) until now + ttl and
  // returns the claim in force afterwards: ours (new; ours already: renewed, claimed_at kept; another node's
  // that had expired: taken over) or another node's live one, unchanged. Exactly one of any number of
  // concurrent claimers of a free conference gets it.
  virtual Result<ConferenceClaim> claim_conference(const ConferenceClaim& wanted, TimePoint now,
                                                   std::chrono::milliseconds ttl) = 0;
  // Moves the expiry of every claim `node` holds to now + ttl (expired ones too, unless another node took them
  // over); how many.
  virtual Result<int> renew_claims(const std::string& node, TimePoint now, std::chrono::milliseconds ttl) = 0;
  // Removes `number`'s claim if `node` holds it (no error when it does not: nothing to give back).
  virtual Status release_claim(const std::string& number, const std::string& node) = 0;
  // The live claim of `number` (expires_at > now), or nullopt.
  virtual Result<std::optional<ConferenceClaim>> conference_owner(const std::string& number, TimePoint now) = 0;
};

// Opens (does not migrate) a store: "sqlite:///abs/path.db", "sqlite://relative/path.db" (relative to the
// working directory; parent directories are created), "postgresql://user:pass@host:port/db" or
// "postgresql://…?options". `pool_size`: sessions kept open (SQLite: 4, PostgreSQL: as given).
// Errors: kInvalidArgument for an unknown scheme, kUnavailable when the database cannot be opened.
Result<std::unique_ptr<Store>> open_store(const std::string& url, int pool_size = 4);

}  // namespace confpro::store
