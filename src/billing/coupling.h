// What every billing coupling (RADIUS, radius_billing.h; the operator's HTTP API, http_billing.h) decides and
// says the same way: the audit target its line names, whether an account may book when the billing system does
// not answer (fail_open), and the refusals the booking form and the CLI show. Thread safety: free functions;
// they read the thread-safe store.
#pragma once

#include <string>

#include "common/result.h"
#include "common/strong_id.h"
#include "store/store.h"

namespace confpro::billing {

// "booking:<id>"; "" before it is stored, which the store fills in with the new id (Store::insert_booking).
std::string booking_target(BookingId id);

// Whether `account` is postpaid (fail_open may let it book); an unknown or unreadable account is not.
bool postpaid(store::Store& store, const std::string& account);

// "billing refused for account 'NAME'[: message]" — kPermissionDenied, reason "billing_refused".
Error billing_refused(const std::string& account, const std::string& message);

// "billing unavailable: message; try again later" — kUnavailable, reason "billing_unavailable".
Error billing_unavailable(const std::string& account, const std::string& message);

}  // namespace confpro::billing
