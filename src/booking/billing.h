// Billing of bookings through the built-in ledger (FEATURES.md P1–P2, issue 16): the ledger lines a booking
// change adds, written by the store in the booking's own transaction (store::SideEffects::ledger), so a
// booking and its reservation are stored together or not at all, and two bookings racing for the last credit
// cannot both pass (the store checks the credit inside the transaction).
//  - created with an account: a "reserve" of the tariff's price (the cheapest plan covering its duration and
//    participants);
//  - edited: the hold follows the new price ("reserve" of the difference, or "release" of it);
//  - ended: "capture" of the hold when the conference took place, "release" when it lapsed unused;
//  - deleted: the store releases what it held.
// Thread safety: free functions; they read the thread-safe store.
#pragma once

#include <string>
#include <vector>

#include "booking/booking_authorizer.h"
#include "common/result.h"
#include "common/time.h"
#include "domain/booking.h"
#include "domain/tariff.h"
#include "store/store.h"

namespace confpro::booking {

// The reservation for a new `booking` paid by `account`. Errors (kInvalidArgument on field "account"):
// reason "unknown_account", "no_plan" (no plan covers it), "currency_mismatch"; kPermissionDenied when a
// non-administrator names an account that is not the booking owner's.
Result<std::vector<store::LedgerEntry>> reserve_for(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                                                    const domain::Booking& booking, const std::string& account,
                                                    const Actor& actor, TimePoint now);

// The lines moving an edited booking's hold to its new price; `holds`: what it holds now, per account
// (Store::holds_of; none: no lines).
Result<std::vector<store::LedgerEntry>> rehold_for(const std::vector<domain::TariffPlan>& plans,
                                                   const domain::Booking& next,
                                                   const std::vector<std::pair<std::string, std::int64_t>>& holds,
                                                   const Actor& actor, TimePoint now);

// The lines settling an ended booking's hold: captured if it was used (opened), released otherwise.
Result<std::vector<store::LedgerEntry>> settle_for(store::Store& store, const domain::Booking& ended,
                                                   const Actor& actor, TimePoint now);

}  // namespace confpro::booking
