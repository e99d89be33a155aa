// The texts of the notifications enqueued when a booking is created, changed or deleted (N1, N2, I3): e-mail
// to the owner (both PINs), e-mail to each invitee (the user PIN or their personal PIN, never the moderator
// PIN), SMS to the owner's mobile (on creation). In the booking's language; times in the configured zone.
// Each e-mail carries a calendar invitation (domain/calendar.h: REQUEST on creation and change, CANCEL on
// deletion and to invitees a change removed) rendered now, so what is sent is the booking as it was stored;
// only the UID (the booking id) and the Date/Message-ID headers are added at sending time. Sending is
// notify/'s job.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "domain/booking.h"
#include "store/store.h"

namespace confpro::booking {

enum class BookingChange { kCreated, kUpdated, kDeleted };

// Rows ready for Store::insert_booking's side effects (booking id filled in by the store; status pending,
// next_attempt_at = now). `owner` may be null (unknown owner: no owner messages).
std::vector<store::OutboxMessage> booking_notifications(
    const domain::Booking& booking, const store::User* owner,
    const std::vector<store::AccessNumber>& access_numbers, const std::string& time_zone, TimePoint now);

// The rows of a change of a stored booking: `before` as stored, `after` as it will be stored (kDeleted: the
// same). The calendar's SEQUENCE is before.version (creation: 0, each stored change: one more). Invitees
// `after` no longer lists get a CANCEL. `booking` ids are set (the store does not fill them for updates).
std::vector<store::OutboxMessage> booking_change_notifications(
    const domain::Booking& before, const domain::Booking& after, BookingChange change,
    const store::User* owner, const std::vector<store::AccessNumber>& access_numbers,
    const std::string& time_zone, TimePoint now);

// A reminder of a booking about to start (issue 15 item 4), in its language, no calendar: with `email`, to the
// owner (both PINs) and to each invitee with an address (their PIN, never the moderator PIN); with `sms`, to
// the owner's mobile. "starts in `minutes` minutes", then the same details as the booking's own messages.
std::vector<store::OutboxMessage> reminder_notifications(const domain::Booking& booking, const store::User* owner,
                                                         const std::vector<store::AccessNumber>& access_numbers,
                                                         const std::string& time_zone, int minutes, bool email,
                                                         bool sms, TimePoint now);

// An unused notice is written only for a booking that lapsed this recently: a server down longer skips it
// rather than tell of a conference long gone (and enabling the notice does not mail about every lapsed
// booking).
inline constexpr std::chrono::hours kUnusedNoticeWindow{24};

// The short "your conference was not used" e-mail to the owner of a booking that lapsed without ever being
// opened; none without an owner address.
std::vector<store::OutboxMessage> unused_notifications(const domain::Booking& booking, const store::User* owner,
                                                       const std::string& time_zone, TimePoint now);

}  // namespace confpro::booking
