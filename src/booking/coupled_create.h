// A booking creation paid through a billing coupling other than the ledger ([billing] coupling = "radius",
// issue 16 P3), for the CLI and the web API: the coupling decides on the booking as it will be priced (its
// duration and participants, the actor's defaults filled in), the booking is created without the ledger, then
// the coupling's line naming the account is written against it.
// Interim: once BookingService::create asks the coupling itself (BookingServiceOptions::coupling; in create(),
// `if (billed && options_.coupling) { auto line = options_.coupling->authorize_account(actor, *draft.account,
// booking, now); if (!line.ok()) return line.error(); effects.audit.push_back(std::move(*line)); } else if
// (billed) { …the ledger's reserve_for… }` — the line's empty target is filled in with the new id by the
// store), the callers go back to BookingService::create and this goes.
// Thread safety: as BookingService; blocks for the coupling's round trip (never call it on the control loop).
#pragma once

#include "booking/booking_authorizer.h"
#include "booking/booking_service.h"

namespace confpro::booking {

// `coupling` (or `store`, where the line is written) null, or a draft without an account:
// BookingService::create as it is. Errors: the coupling's
// refusal (nothing created), or create's.
Result<domain::Booking> create_coupled(BookingService& bookings, AccountAuthorizer* coupling,
                                       store::Store* store, domain::BookingDraft draft, const Actor& actor,
                                       TimePoint now);

}  // namespace confpro::booking
