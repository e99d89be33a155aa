// Bookings billed through RADIUS ([billing] coupling = "radius", FEATURES.md P3, issue 16): the
// Access-Request for a booking paid by an account, and the record of which account pays (an audit line
// written with the booking, action "billing.radius.authorize", target "booking:<id>") that
// accounting reads back. Decision:
//  - Access-Accept granting at least the booking's duration (Session-Timeout / h323-credit-time; none sent:
//    no limit) → allowed;
//  - granting less → kResourceExhausted, reason "insufficient_credit" (params account, granted_minutes,
//    needed_minutes);
//  - Access-Reject → kPermissionDenied, reason "billing_refused" (the server's Reply-Message in the message);
//  - no server answered → kUnavailable (HTTP 503), reason "billing_unavailable" — except a postpaid account
//    (a local account marked postpaid) with `fail_open`, which is allowed and logged at warning. Prepaid
//    (and any account the store does not know) always fails closed.
// Thread safety: thread-safe (the client and the store are); authorize_account blocks for the RADIUS round
// trip, which the booking path already runs on workers (web handlers, CLI), never on the control loop.
#pragma once

#include <optional>
#include <string>

#include "billing/radius_client.h"
#include "booking/booking_authorizer.h"
#include "store/store.h"

namespace confpro::billing {

inline constexpr char kRadiusAuthorizeAction[] = "billing.radius.authorize";

class RadiusAuthorizer final : public booking::AccountAuthorizer {
 public:
  // Borrows client and store; they must outlive it.
  RadiusAuthorizer(RadiusClient& client, store::Store& store, bool fail_open)
      : client_(client), store_(store), fail_open_(fail_open) {}
  Result<store::AuditEntry> authorize_account(const booking::Actor& actor, const std::string& account,
                                              const domain::Booking& proposed, TimePoint now) override;
  // A booking with a RADIUS line.
  Result<bool> bills(const domain::Booking& booking) override;
  // A change to a longer duration or another access number is authorized again, like a new booking (the same
  // refusals); its new line is written with the change. A shorter one asks nothing.
  Result<Change> reauthorize(const booking::Actor& actor, const domain::Booking& current,
                             const domain::Booking& next, TimePoint now) override;

 private:
  RadiusClient& client_;
  store::Store& store_;
  const bool fail_open_;
};

// The audit line saying `booking` is paid by `account` through RADIUS; its target is "booking:<id>", left
// empty before the booking is stored (the store fills it in with the new id when written with the booking).
store::AuditEntry radius_billing_line(const booking::Actor& actor, const std::string& account,
                                      const domain::Booking& booking, TimePoint now,
                                      const std::string& granted);

// The account paying for `booking` through RADIUS, read back from its audit line; nullopt: not billed so.
Result<std::optional<std::string>> radius_account_of(store::Store& store, const domain::Booking& booking);

}  // namespace confpro::billing
