#include "store/fault_injection.h"

#include <algorithm>
#include <memory>
#include <thread>

namespace confpro::store {

void FaultInjectingStore::set_rule(Rule rule) {
  MutexLock lock(mutex_);
  rule_ = std::move(rule);
}

void FaultInjectingStore::fail_next(std::string method, int count, Error error) {
  auto remaining = std::make_shared<int>(count);
  set_rule([method = std::move(method), remaining,
            error = std::move(error)](std::string_view m) -> std::optional<Error> {
    if (*remaining <= 0 || (!method.empty() && m != method)) return std::nullopt;
    --*remaining;
    return error;
  });
}

void FaultInjectingStore::clear() {
  set_rule(nullptr);
}

int FaultInjectingStore::failures_injected() const {
  MutexLock lock(mutex_);
  return injected_;
}

void FaultInjectingStore::set_delay(std::chrono::milliseconds delay, std::vector<std::string> except) {
  MutexLock lock(mutex_);
  delay_ = delay;
  not_delayed_ = std::move(except);
}

std::optional<Error> FaultInjectingStore::check(std::string_view method) {
  std::chrono::milliseconds delay{0};
  std::optional<Error> e;
  {
    MutexLock lock(mutex_);
    if (std::find(not_delayed_.begin(), not_delayed_.end(), method) == not_delayed_.end()) delay = delay_;
    if (rule_) e = rule_(method);
    if (e) ++injected_;
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  return e;
}

Status FaultInjectingStore::migrate() {
  if (auto e = check("migrate")) return *e;
  return inner_.migrate();
}

Result<int> FaultInjectingStore::schema_version() {
  if (auto e = check("schema_version")) return *e;
  return inner_.schema_version();
}

Result<User> FaultInjectingStore::add_user(const User& user) {
  if (auto e = check("add_user")) return *e;
  return inner_.add_user(user);
}

Result<User> FaultInjectingStore::get_user(UserId id) {
  if (auto e = check("get_user")) return *e;
  return inner_.get_user(id);
}

Result<User> FaultInjectingStore::find_user(const std::string& username) {
  if (auto e = check("find_user")) return *e;
  return inner_.find_user(username);
}

Result<User> FaultInjectingStore::find_user_by_phone_account(const std::string& phone_account) {
  if (auto e = check("find_user_by_phone_account")) return *e;
  return inner_.find_user_by_phone_account(phone_account);
}

Result<std::vector<User>> FaultInjectingStore::find_users_by_number(const std::string& digits) {
  if (auto e = check("find_users_by_number")) return *e;
  return inner_.find_users_by_number(digits);
}

Result<std::vector<User>> FaultInjectingStore::list_users() {
  if (auto e = check("list_users")) return *e;
  return inner_.list_users();
}

Status FaultInjectingStore::update_user(const User& user) {
  if (auto e = check("update_user")) return *e;
  return inner_.update_user(user);
}

Status FaultInjectingStore::delete_user(UserId id) {
  if (auto e = check("delete_user")) return *e;
  return inner_.delete_user(id);
}

Status FaultInjectingStore::upsert_access_number(const AccessNumber& number) {
  if (auto e = check("upsert_access_number")) return *e;
  return inner_.upsert_access_number(number);
}

Result<std::vector<AccessNumber>> FaultInjectingStore::list_access_numbers() {
  if (auto e = check("list_access_numbers")) return *e;
  return inner_.list_access_numbers();
}

Status FaultInjectingStore::delete_access_number(const std::string& number) {
  if (auto e = check("delete_access_number")) return *e;
  return inner_.delete_access_number(number);
}

Result<domain::Booking> FaultInjectingStore::insert_booking(const domain::Booking& booking,
                                                            const SideEffects& effects) {
  if (auto e = check("insert_booking")) return *e;
  return inner_.insert_booking(booking, effects);
}

Result<domain::Booking> FaultInjectingStore::get_booking(BookingId id) {
  if (auto e = check("get_booking")) return *e;
  return inner_.get_booking(id);
}

Result<domain::Booking> FaultInjectingStore::find_booking_by_number(const std::string& number) {
  if (auto e = check("find_booking_by_number")) return *e;
  return inner_.find_booking_by_number(number);
}

Result<domain::Booking> FaultInjectingStore::find_booking_by_name(const std::string& name) {
  if (auto e = check("find_booking_by_name")) return *e;
  return inner_.find_booking_by_name(name);
}

Result<domain::Booking> FaultInjectingStore::update_booking(const domain::Booking& booking,
                                                            int expected_version,
                                                            const SideEffects& effects) {
  if (auto e = check("update_booking")) return *e;
  return inner_.update_booking(booking, expected_version, effects);
}

Status FaultInjectingStore::delete_booking(BookingId id, const Deletion& deletion,
                                           const SideEffects& effects) {
  if (auto e = check("delete_booking")) return *e;
  return inner_.delete_booking(id, deletion, effects);
}

Result<PurgeCounts> FaultInjectingStore::purge_history(TimePoint before, bool dry_run,
                                                       const SideEffects& effects) {
  if (auto e = check("purge_history")) return *e;
  return inner_.purge_history(before, dry_run, effects);
}

Result<Page<domain::Booking>> FaultInjectingStore::search_bookings(const BookingQuery& query) {
  if (auto e = check("search_bookings")) return *e;
  return inner_.search_bookings(query);
}

Result<std::vector<domain::Booking>> FaultInjectingStore::scheduled_lapsed(TimePoint now, int limit) {
  if (auto e = check("scheduled_lapsed")) return *e;
  return inner_.scheduled_lapsed(now, limit);
}

Result<std::vector<domain::Booking>> FaultInjectingStore::active_overdue(TimePoint now, int limit) {
  if (auto e = check("active_overdue")) return *e;
  return inner_.active_overdue(now, limit);
}

Result<int> FaultInjectingStore::count_bookings_in_force(const std::string& owner, TimePoint now) {
  if (auto e = check("count_bookings_in_force")) return *e;
  return inner_.count_bookings_in_force(owner, now);
}

Result<ConferenceSession> FaultInjectingStore::open_session(const ConferenceSession& session) {
  if (auto e = check("open_session")) return *e;
  return inner_.open_session(session);
}

Status FaultInjectingStore::close_session(SessionId id, TimePoint closed_at, const std::string& reason) {
  if (auto e = check("close_session")) return *e;
  return inner_.close_session(id, closed_at, reason);
}

Status FaultInjectingStore::set_recording_path(SessionId id, const std::string& path) {
  if (auto e = check("set_recording_path")) return *e;
  return inner_.set_recording_path(id, path);
}

Result<ConferenceSession> FaultInjectingStore::get_session(SessionId id) {
  if (auto e = check("get_session")) return *e;
  return inner_.get_session(id);
}

Result<Page<SessionWithBooking>> FaultInjectingStore::list_sessions(const SessionQuery& query) {
  if (auto e = check("list_sessions")) return *e;
  return inner_.list_sessions(query);
}

Status FaultInjectingStore::mark_cdr_exported(const std::vector<SessionId>& sessions, TimePoint at) {
  if (auto e = check("mark_cdr_exported")) return *e;
  return inner_.mark_cdr_exported(sessions, at);
}

Result<ParticipantConnection> FaultInjectingStore::start_connection(const ParticipantConnection& connection) {
  if (auto e = check("start_connection")) return *e;
  return inner_.start_connection(connection);
}

Status FaultInjectingStore::end_connection(ConnectionId id, TimePoint left_at, const std::string& reason,
                                           double loss_fraction, double jitter_ms, double rtt_ms) {
  if (auto e = check("end_connection")) return *e;
  return inner_.end_connection(id, left_at, reason, loss_fraction, jitter_ms, rtt_ms);
}

Result<std::vector<ParticipantConnection>> FaultInjectingStore::list_connections(SessionId session) {
  if (auto e = check("list_connections")) return *e;
  return inner_.list_connections(session);
}

Result<InterruptedCounts> FaultInjectingStore::close_interrupted(TimePoint now, const std::string& node) {
  if (auto e = check("close_interrupted")) return *e;
  return inner_.close_interrupted(now, node);
}

Status FaultInjectingStore::record_node_beat(const NodeBeat& beat) {
  if (auto e = check("record_node_beat")) return *e;
  return inner_.record_node_beat(beat);
}

Result<NodeBeat> FaultInjectingStore::node_beat(const std::string& node) {
  if (auto e = check("node_beat")) return *e;
  return inner_.node_beat(node);
}

Result<std::vector<NodeBeat>> FaultInjectingStore::list_node_beats() {
  if (auto e = check("list_node_beats")) return *e;
  return inner_.list_node_beats();
}

Status FaultInjectingStore::append_audit(const AuditEntry& entry) {
  if (auto e = check("append_audit")) return *e;
  return inner_.append_audit(entry);
}

Result<Page<AuditEntry>> FaultInjectingStore::list_audit(const AuditQuery& query) {
  if (auto e = check("list_audit")) return *e;
  return inner_.list_audit(query);
}

Result<OutboxMessage> FaultInjectingStore::enqueue(const OutboxMessage& message) {
  if (auto e = check("enqueue")) return *e;
  return inner_.enqueue(message);
}

Result<std::vector<OutboxMessage>> FaultInjectingStore::due_messages(TimePoint now, int limit) {
  if (auto e = check("due_messages")) return *e;
  return inner_.due_messages(now, limit);
}

Result<std::vector<OutboxMessage>> FaultInjectingStore::due_messages_for(const std::string& kind,
                                                                         TimePoint now, int limit) {
  if (auto e = check("due_messages")) return *e;
  return inner_.due_messages_for(kind, now, limit);
}

Result<bool> FaultInjectingStore::claim_message(std::int64_t id, TimePoint seen, TimePoint lease_until) {
  if (auto e = check("claim_message")) return *e;
  return inner_.claim_message(id, seen, lease_until);
}

Status FaultInjectingStore::mark_sent(std::int64_t id, TimePoint at) {
  if (auto e = check("mark_sent")) return *e;
  return inner_.mark_sent(id, at);
}

Status FaultInjectingStore::mark_failed(std::int64_t id, const std::string& error, TimePoint next_attempt_at,
                                        bool give_up) {
  if (auto e = check("mark_failed")) return *e;
  return inner_.mark_failed(id, error, next_attempt_at, give_up);
}

Result<std::int64_t> FaultInjectingStore::count_pending_outbox() {
  if (auto e = check("count_pending_outbox")) return *e;
  return inner_.count_pending_outbox();
}

Result<std::vector<OutboxMessage>> FaultInjectingStore::list_outbox(const std::string& status, int limit) {
  if (auto e = check("list_outbox")) return *e;
  return inner_.list_outbox(status, limit);
}

Result<std::vector<OutboxMessage>> FaultInjectingStore::find_outbox(const OutboxQuery& query) {
  if (auto e = check("find_outbox")) return *e;
  return inner_.find_outbox(query);
}

Result<OutboxMessage> FaultInjectingStore::requeue_message(std::int64_t id, TimePoint now) {
  if (auto e = check("requeue_message")) return *e;
  return inner_.requeue_message(id, now);
}

Status FaultInjectingStore::record_delivery_report(std::int64_t id, const std::string& token,
                                                   const DeliveryReport& report) {
  if (auto e = check("record_delivery_report")) return *e;
  return inner_.record_delivery_report(id, token, report);
}

Result<std::vector<domain::Booking>> FaultInjectingStore::bookings_to_remind(TimePoint from, TimePoint to,
                                                                             int limit) {
  if (auto e = check("bookings_to_remind")) return *e;
  return inner_.bookings_to_remind(from, to, limit);
}

Result<std::vector<domain::Booking>> FaultInjectingStore::lapsed_unused(TimePoint from, TimePoint to, int limit) {
  if (auto e = check("lapsed_unused")) return *e;
  return inner_.lapsed_unused(from, to, limit);
}

Result<bool> FaultInjectingStore::enqueue_once(BookingId booking, const std::string& what, TimePoint at,
                                               const std::vector<OutboxMessage>& rows) {
  if (auto e = check("enqueue_once")) return *e;
  return inner_.enqueue_once(booking, what, at, rows);
}

void FaultInjectingStore::set_outbox_listener(std::function<void()> listener) {
  inner_.set_outbox_listener(std::move(listener));
}

Result<Report> FaultInjectingStore::report(const ReportQuery& query) {
  if (auto e = check("report")) return *e;
  return inner_.report(query);
}

Result<BillingAccount> FaultInjectingStore::insert_account(const BillingAccount& account,
                                                           const LedgerEntry& opening) {
  if (auto e = check("insert_account")) return *e;
  return inner_.insert_account(account, opening);
}

Result<AccountBalance> FaultInjectingStore::get_account(const std::string& name) {
  if (auto e = check("get_account")) return *e;
  return inner_.get_account(name);
}

Result<std::vector<AccountBalance>> FaultInjectingStore::list_accounts() {
  if (auto e = check("list_accounts")) return *e;
  return inner_.list_accounts();
}

Status FaultInjectingStore::set_account_members(const std::string& name, const std::vector<std::string>& members,
                                                const AuditEntry& audit) {
  if (auto e = check("set_account_members")) return *e;
  return inner_.set_account_members(name, members, audit);
}

Result<LedgerEntry> FaultInjectingStore::append_ledger(const LedgerEntry& entry, const AuditEntry& audit) {
  if (auto e = check("append_ledger")) return *e;
  return inner_.append_ledger(entry, audit);
}

Result<std::vector<LedgerEntry>> FaultInjectingStore::list_ledger(const std::string& account, int limit,
                                                                   int offset) {
  if (auto e = check("list_ledger")) return *e;
  return inner_.list_ledger(account, limit, offset);
}

Result<std::vector<CaptureLine>> FaultInjectingStore::list_captures(TimePoint from, TimePoint to) {
  if (auto e = check("list_captures")) return *e;
  return inner_.list_captures(from, to);
}

Result<std::vector<LedgerEntry>> FaultInjectingStore::ledger_of_booking(BookingId booking) {
  if (auto e = check("ledger_of_booking")) return *e;
  return inner_.ledger_of_booking(booking);
}

Result<std::vector<std::pair<std::string, std::int64_t>>> FaultInjectingStore::holds_of(BookingId booking) {
  if (auto e = check("holds_of")) return *e;
  return inner_.holds_of(booking);
}

Result<ConferenceClaim> FaultInjectingStore::claim_conference(const ConferenceClaim& wanted, TimePoint now,
                                                             std::chrono::milliseconds ttl) {
  if (auto e = check("claim_conference")) return *e;
  return inner_.claim_conference(wanted, now, ttl);
}

Result<int> FaultInjectingStore::renew_claims(const std::string& node, TimePoint now, std::chrono::milliseconds ttl) {
  if (auto e = check("renew_claims")) return *e;
  return inner_.renew_claims(node, now, ttl);
}

Status FaultInjectingStore::release_claim(const std::string& number, const std::string& node) {
  if (auto e = check("release_claim")) return *e;
  return inner_.release_claim(number, node);
}

Result<std::optional<ConferenceClaim>> FaultInjectingStore::conference_owner(const std::string& number,
                                                                            TimePoint now) {
  if (auto e = check("conference_owner")) return *e;
  return inner_.conference_owner(number, now);
}

}  // namespace confpro::store
