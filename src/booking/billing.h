// Billing of bookings through the built-in ledger (FEATURES.md P1–P2, issue 16): the ledger lines a booking
// change adds, written by the store in the booking's own transaction (store::SideEffects::ledger), so a
// booking and its reservation are stored together or not at all, and two bookings racing for the last credit
// cannot both pass (the store checks the credit inside the transaction).
//  - created with an account: a "reserve" of the tariff's price (the cheapest plan covering its duration and
//    participants);
//  - edited: the hold follows the new price ("reserve" of the difference, or "release" of it);
//  - ended: "capture" when the conference took place — the hold (the package) plus what its actual use costs on
//    top (domain/usage_charge.h: overage, toll-free, dial-out, from the connection history), so a capture may
//    take more than was held, and a prepaid balance may then go below zero (only by that measured use);
//    "release" when it lapsed unused;
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
#include "domain/usage_charge.h"
#include "store/store.h"

namespace confpro::booking {

// Whether `who` may pay with `account` and see its balance and statement: an administrator, its owner, or one
// of its members (a shared account: a listed username, or a member of a listed directory group).
bool may_use(const store::BillingAccount& account, const Actor& who);

// The reservation for a new `booking` paid by `account`. Errors (kInvalidArgument on field "account"):
// reason "unknown_account", "no_plan" (no plan covers it), "currency_mismatch"; kPermissionDenied when a
// non-administrator names an account they may not use (may_use).
Result<std::vector<store::LedgerEntry>> reserve_for(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                                                    const domain::Booking& booking, const std::string& account,
                                                    const Actor& actor, TimePoint now);

// The lines moving an edited booking's hold to its new price; `holds`: what it holds now, per account
// (Store::holds_of; none: no lines).
Result<std::vector<store::LedgerEntry>> rehold_for(const std::vector<domain::TariffPlan>& plans,
                                                   const domain::Booking& next,
                                                   const std::vector<std::pair<std::string, std::int64_t>>& holds,
                                                   const Actor& actor, TimePoint now);

// The lines settling an ended booking's hold: captured if it was used (opened) — the hold plus its use priced
// by the plan quoting it (none covering it any more: the hold alone), the breakdown in the line's note —,
// released otherwise.
Result<std::vector<store::LedgerEntry>> settle_for(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                                                   const domain::Booking& ended, const Actor& actor, TimePoint now);

// A connection's call_ref starting with this is a leg the conference dialled out (an invite by number; its
// caller_number is whom): the conference service writes it so, the tariff bills it by its destination.
inline constexpr char kDialOutCallRef[] = "out:";
inline bool dialled_out(const store::ParticipantConnection& c) { return c.call_ref.rfind(kDialOutCallRef, 0) == 0; }

// The legs of `booking` (all its sessions) from the connection history, in the order they joined. A leg counts
// from its join to its leave, or to the booking's end (ended_at, else `now`) when it left later or has not left
// (the closing prompt after an end is not charged). Toll-free: it came in through an access number of kind
// "toll-free"; dial-out: dialled_out(), to its caller_number.
Result<std::vector<domain::UsageLeg>> usage_legs(store::Store& store, const domain::Booking& booking, TimePoint now);

// `booking`'s use priced by the plan quoting it for `account` (domain::quote), on top of `package`, and that
// plan's currency; nullopt when no plan covers it.
struct BookingCharge {
  domain::UsageCharge charge;
  std::string currency;
};
Result<std::optional<BookingCharge>> charge_of(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                                               const domain::Booking& booking, const std::string& account,
                                               std::int64_t package, TimePoint now);

}  // namespace confpro::booking
