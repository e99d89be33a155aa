// The texts of the notifications enqueued when a booking is created (N1, N2): e-mail to the owner (both
// PINs), e-mail to each invitee (the user PIN or their personal PIN), SMS to the owner's mobile. In the
// booking's language; times in the configured zone. Sending is notify/'s job.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "domain/booking.h"
#include "store/store.h"

namespace confpro::booking {

// Rows ready for Store::insert_booking's side effects (booking id filled in by the store; status pending,
// next_attempt_at = now). `owner` may be null (unknown owner: no owner messages).
std::vector<store::OutboxMessage> booking_notifications(
    const domain::Booking& booking, const store::User* owner,
    const std::vector<store::AccessNumber>& access_numbers, const std::string& time_zone, TimePoint now);

}  // namespace confpro::booking
