// Bookings billed through the operator's own HTTP/JSON API ([billing] coupling = "http", [billing.http],
// FEATURES.md P3, issue 16): reserve at booking, then commit (actual use) or refund, HMAC-signed, each with
// an idempotency key so that the operator never reserves or charges twice.
//
// Every request is a POST of a JSON body to <url>/reserve, <url>/commit or <url>/refund with the headers
//   Content-Type: application/json
//   Idempotency-Key: <key>               (the same on every retry of the same request)
//   X-Confpro-Timestamp: <unix seconds>  (when this attempt was signed)
//   X-Confpro-Signature: sha256=<lower-case hex HMAC-SHA256(secret, timestamp + "." + body)>
// The operator recomputes the HMAC over the raw body and refuses stale timestamps (replay).
//
// Reserve — synchronous, in BookingService::create (HttpBillingAuthorizer, an AccountAuthorizer like
// RadiusAuthorizer): body {account, booking: null, reference, number, name, owner, start, duration_minutes,
// max_participants, price?, currency?, idempotency_key} (price: the tariff plan's, a decimal string, when one
// covers the booking; reference = idempotency key, the booking's stable name before it has an id). Answer:
//  - 2xx {"reservation": "…", "granted_seconds"?: n} → allowed; granting less than the booking's duration →
//    kResourceExhausted "insufficient_credit";
//  - 402 (or 403 with "reason": "insufficient_credit") → kResourceExhausted "insufficient_credit", the
//    operator's "message" in ours;
//  - 403 → kPermissionDenied "billing_refused", with the operator's "message";
//  - anything else (timeout, unreachable, 5xx, another 4xx, a 2xx without reservation) → kUnavailable
//    "billing_unavailable" — except a postpaid account (a local account marked postpaid) with `fail_open`,
//    which is allowed, logged at warning and audited ("unchecked" in the line). Prepaid fails closed.
// A transport failure or 5xx is tried again (`reserve_retries`) with the same key. The allowed booking is
// written with an audit line (action "billing.http.reserve", target "booking:<id>", details
// "account=… reservation=… key=…", plus " warning=billing_unavailable_fail_open" when let through unchecked)
// that commit and refund read back. A reservation the booking does not get (granted less than its duration,
// or the booking then not stored: a name taken…) is given back: a refund row with reason "not_booked".
//
// Commit and refund — never synchronous: outbox rows of kind "billing" (recipient "commit" | "refund",
// subject = idempotency key "<reserve key>-commit|-refund", body = the JSON) written in the same store
// transaction as the booking's end (BookingService::end / expire_due: commit when it was opened, refund when
// it lapsed unused) or deletion (refund of a booking not yet ended), so a crash never loses one; the notify
// delivery worker sends them through HttpBillingSender with its retries, back-off and deadline, and they show
// in the Notifications view. Commit body: {account, booking, reference, reservation, number, opened_at,
// ended_at, duration_seconds, participant_minutes, participants, end_reason, idempotency_key, and — when a
// tariff plan covers the booking — amount, currency, package, overage, overage_minutes, toll_free, dial_out}; the
// participant-minutes are the store's connection history at the end (connections still open count up to the
// end); amount is what the built-in ledger would capture (domain/usage_charge.h), the operator may rate it its
// own way from the rest. Refund body: {account, booking, reference, reservation, number, reason: "deleted" | "lapsed_unused" |
// "replaced" (a change reserved again, with "replaced_by") | "not_booked", idempotency_key}. 2xx (and 409: already done under that key) → sent; another 4xx → failed for good;
// 5xx/unreachable → retried.
//
// Thread safety: the authorizer is called from any thread at once (a curl handle per request); the sender
// from the delivery worker's one thread (cancel() from any).
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "booking/billing.h"
#include "booking/booking_authorizer.h"
#include "common/result.h"
#include "common/time.h"
#include "domain/tariff.h"
#include "notify/sender.h"
#include "store/store.h"

namespace confpro::billing {

inline constexpr char kHttpReserveAction[] = "billing.http.reserve";
inline constexpr char kHttpBillingKind[] = "billing";  // the outbox rows' kind
// A change let through on the reservation it had, the API unreachable (fail_open, postpaid).
inline constexpr char kHttpUncheckedChangeAction[] = "billing.http.unchecked_change";
// The reservation of a booking let through unchecked (fail_open): nothing to commit or refund.
inline constexpr char kUnchecked[] = "unchecked";

struct HttpBillingOptions {
  std::string url;                // the operator's billing API base, http:// or https:// (no trailing /)
  std::string secret;             // the HMAC-SHA256 key
  int timeout_ms = 3000;          // one request, connection included [3000]
  int connect_timeout_ms = 1000;  // [1000]
  std::string ca_file;            // PEM CA bundle for https ("" = the system's)
  int reserve_retries = 1;        // reserve: more tries after a transport failure or 5xx, same key [1]
};

// Lower-case hex HMAC-SHA256 of `message` under `key` (libsodium).
std::string hmac_sha256_hex(const std::string& key, const std::string& message);
// The X-Confpro-Signature value: "sha256=" + hmac_sha256_hex(secret, timestamp + "." + body).
std::string signature(const std::string& secret, const std::string& timestamp, const std::string& body);

// One POST's outcome. reached = false: no HTTP answer (refused, timeout, TLS, DNS, cancelled).
struct HttpReply {
  bool reached = false;
  long status = 0;
  std::string body;   // its first KiB
  std::string error;  // what went wrong when not reached
};

// POSTs `body` to options.url + "/" + path, signed (header comment), timestamped from `now`.
HttpReply post_signed(const HttpBillingOptions& options, const std::string& path, const std::string& body,
                      const std::string& idempotency_key, TimePoint now,
                      const std::atomic<bool>* cancelled = nullptr);

// What the operator said to a reserve (header comment), before the granted time and fail_open are applied.
struct ReserveAnswer {
  enum class Kind { kAllowed, kInsufficient, kRefused, kUnavailable };
  Kind kind = Kind::kUnavailable;
  std::string reservation;
  std::optional<long long> granted_seconds;
  std::string message;  // the operator's message, or what went wrong
};
ReserveAnswer decide_reserve(const HttpReply& reply);

// The reserve request's body and its idempotency key: the key is derived (HMAC under the secret) from what
// makes this booking creation itself (account, owner, name, number, creation time), so the same creation
// sends the same key on every try.
std::string reserve_key(const std::string& secret, const std::string& account,
                        const domain::Booking& proposed);
std::string reserve_body(const std::string& account, const domain::Booking& proposed,
                         const domain::Quote& quote, const std::string& key);

// What a booking billed over HTTP was reserved as, read back from its audit line; nullopt: not billed so.
struct HttpReservation {
  std::string account, reservation, key;
};
Result<std::optional<HttpReservation>> http_reservation_of(store::Store& store, BookingId booking);

// The commit or refund row for `booking` (ended, or being deleted when `deleted`); nullopt when nothing is
// owed (a deleted booking that had already ended was settled at its end). `connections`: the booking's.
// `charge`: the actual use priced by the tariff (booking/billing.h charge_of, the package = the plan's price),
// which a commit carries as "amount" (package + overage + surcharges), "currency" and the parts ("package",
// "overage", "overage_minutes", "toll_free", "dial_out"), decimal strings; none: no amount (no plan covers it).
std::optional<store::OutboxMessage> settlement_row(
    const HttpReservation& r, const domain::Booking& booking, bool deleted,
    const std::vector<store::ParticipantConnection>& connections, TimePoint now,
    const std::optional<booking::BookingCharge>& charge = std::nullopt);

class HttpBillingAuthorizer final : public booking::AccountAuthorizer {
 public:
  // Borrows store; it must outlive it. `plans`: for the price quote.
  HttpBillingAuthorizer(HttpBillingOptions options, store::Store& store,
                        std::vector<domain::TariffPlan> plans, bool fail_open);
  Result<store::AuditEntry> authorize_account(const booking::Actor& actor, const std::string& account,
                                              const domain::Booking& proposed, TimePoint now) override;
  Result<std::vector<store::OutboxMessage>> settlement(const domain::Booking& booking, bool deleted,
                                                       TimePoint now) override;
  void not_stored(const store::AuditEntry& line, TimePoint now) override;
  Result<bool> bills(const domain::Booking& booking) override;
  // A change to a longer or dearer booking is reserved again: a reserve with a new key (derived from the
  // first reservation's key and the booking's version) whose body also names "booking" (its id) and "replaces"
  // (the reservation it replaces). Granted: its line is written with the change, with a refund of the replaced
  // reservation (reason "replaced", "replaced_by") in the same transaction; refused: the change is refused
  // like a new booking; unreachable: prepaid refused, postpaid with fail_open keeps its reservation (audit line
  // "billing.http.unchecked_change"). A shorter or cheaper booking keeps its reservation; the commit carries
  // the actual amount.
  Result<Change> reauthorize(const booking::Actor& actor, const domain::Booking& current,
                             const domain::Booking& next, TimePoint now) override;

 private:
  Result<store::AuditEntry> reserve(const booking::Actor& actor, const std::string& account,
                                    const domain::Booking& proposed, const std::string& key,
                                    const std::string& body, TimePoint now);
  // Enqueues the refund (reason "not_booked", no booking) of a reservation no booking holds.
  void give_back(const HttpReservation& r, TimePoint now);
  const HttpBillingOptions options_;
  store::Store& store_;
  const std::vector<domain::TariffPlan> plans_;
  const bool fail_open_;
};

// Sends the "billing" outbox rows (commit, refund) for the delivery worker.
class HttpBillingSender final : public notify::Sender {
 public:
  // Borrows clock; it must outlive it.
  HttpBillingSender(HttpBillingOptions options, const Clock& clock);
  std::string destination(const store::OutboxMessage& message) const override;
  notify::SendResult send(const store::OutboxMessage& message) override;
  void cancel() override { cancelled_ = true; }

 private:
  const HttpBillingOptions options_;
  const Clock& clock_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace confpro::billing
