// iCalendar invitations (iMIP, RFC 6047 / iTIP RFC 5546) for bookings, written with the notification texts
// when a booking change is stored (booking/notification_text.h) and sent by notify/ as text/calendar +
// invite.ics. UTC times; UID stable per booking; SEQUENCE from the booking's version; METHOD REQUEST or
// CANCEL.
//
// The UID is written as the token kCalendarUidToken: the booking's id is not known before the booking row is
// inserted (same transaction), so notify/ puts the UID in when it sends (calendar_uid()).
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/strong_id.h"
#include "common/time.h"

namespace confpro::domain {

inline constexpr std::string_view kCalendarUidToken = "{booking-uid}";

struct CalendarEvent {
  std::string method = "REQUEST";  // "REQUEST" | "CANCEL"
  int sequence = 0;
  TimePoint stamp{}, start{}, end{};
  std::string summary, location, description;
  std::string organizer_name, organizer_email;  // email "" = no ORGANIZER line
  std::vector<std::string> attendees;           // e-mail addresses (ATTENDEE;RSVP=TRUE)
};

// The VCALENDAR text, CRLF lines folded at 75 octets, text values escaped.
std::string calendar_text(const CalendarEvent& event);

// "booking-<id>@<host>": the UID of a booking's events.
std::string calendar_uid(BookingId booking, std::string_view host);

// `calendar` with kCalendarUidToken replaced by calendar_uid(booking, host).
std::string with_calendar_uid(std::string calendar, BookingId booking, std::string_view host);

// The METHOD of a calendar text ("" when none).
std::string calendar_method(std::string_view calendar);

}  // namespace confpro::domain
