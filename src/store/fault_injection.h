// A Store that forwards to another and fails the calls a test chooses (STYLE.md #10): for reliability tests
// of callers — "the database is down", "the disk is full" — without breaking a real database. It can also make
// every call slow (set_delay): for tests that show who waits on the database and who must not (issue 13: the
// control loop). `confpro serve` wraps its store in one when CONFPRO_TEST_STORE_DELAY_MS is set (tests only; see
// app/context.cpp).
// Thread safety: as the wrapped store; the failure rule and the delay are guarded by a mutex (a delayed call
// sleeps outside it: calls from several threads are slow together, not one after the other).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "store/store.h"
#include "common/thread_annotations.h"

namespace confpro::store {

class FaultInjectingStore final : public Store {
 public:
  // Decides, per call, whether it fails: gets the method name ("insert_booking", "find_user", …) and returns
  // the Error to return instead of calling the wrapped store, or nullopt to pass the call through.
  using Rule = std::function<std::optional<Error>(std::string_view method)>;

  explicit FaultInjectingStore(Store& inner) : inner_(inner) {}
  // Owns the wrapped store.
  explicit FaultInjectingStore(std::unique_ptr<Store> inner) : owned_(std::move(inner)), inner_(*owned_) {}

  void set_rule(Rule rule);
  // Shorthand: the next `count` calls of `method` ("" = any method) fail with `error`.
  void fail_next(std::string method, int count, Error error);
  void clear();
  int failures_injected() const;
  // Every call but those named in `except` ("search_bookings", …) waits `delay` first; 0 = none.
  void set_delay(std::chrono::milliseconds delay, std::vector<std::string> except = {});

  Status migrate() override;
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
  Result<PurgeCounts> purge_history(TimePoint before, bool dry_run, const SideEffects& effects) override;
  Result<InterruptedCounts> close_interrupted(TimePoint now, const std::string& node) override;
  Status record_node_beat(const NodeBeat& beat) override;
  Result<NodeBeat> node_beat(const std::string& node) override;
  Result<std::vector<NodeBeat>> list_node_beats() override;
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
  std::optional<Error> check(std::string_view method);

  std::unique_ptr<Store> owned_;
  Store& inner_;
  mutable Mutex mutex_;
  Rule rule_ GUARDED_BY(mutex_);
  int injected_ GUARDED_BY(mutex_) = 0;
  std::chrono::milliseconds delay_ GUARDED_BY(mutex_){0};
  std::vector<std::string> not_delayed_ GUARDED_BY(mutex_);
};

}  // namespace confpro::store
