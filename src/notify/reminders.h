// Reminders (issue 15 item 4): N minutes before a booking's start its creator (e-mail and/or SMS) and its
// invitees (e-mail) get a reminder with the dial-in details; a booking that lapsed without ever being opened
// tells its creator so. The texts are booking/notification_text's; sending is the delivery worker's.
//
// Once: each booking's reminder for its current start, and its unused notice, is written with a mark in the
// same transaction (Store::enqueue_once), so several nodes scanning at once and restarts write them once; a
// booking moved to another start is reminded again for it. The scan runs in the housekeeping thread
// (app/serve.cpp, after booking expiry, every 5 s), never on the control loop.
//
// Thread safety: the free functions are pure; a ReminderScan is used from one thread.
#pragma once

#include <chrono>
#include <string>

#include "booking/notification_text.h"
#include "common/result.h"
#include "common/time.h"
#include "domain/booking.h"
#include "store/store.h"

namespace confpro::notify {

struct ReminderOptions {
  int minutes = 0;             // [notify] reminder_minutes: this long before the start; 0 = off [0]
  bool email = true;           // reminder_channels has "email": creator and invitees [["email"]]
  bool sms = false;            // reminder_channels has "sms": the creator's mobile
  bool unused_notice = false;  // [notify] unused_notice: tell the creator of a booking lapsed unused [false]
  std::string time_zone = "Europe/Paris";  // [server] time_zone, for the times in the texts
};

using booking::kUnusedNoticeWindow;  // booking/notification_text.h

// Whether booking `b`'s reminder is due at `now`: reminders on (minutes > 0), `b` scheduled, `now` in
// [valid_from - minutes, valid_from), and `b` made before that moment (one booked later has just been sent
// everything by its creation mail). Deletion is the store's filter.
bool reminder_due(const domain::Booking& b, int minutes, TimePoint now);

// Whether `b`'s unused notice is due at `now`: ended expired-unused, never opened, ended in
// (now - kUnusedNoticeWindow, now].
bool unused_notice_due(const domain::Booking& b, TimePoint now);

class ReminderScan {
 public:
  // Borrows the store.
  ReminderScan(store::Store& store, ReminderOptions options);
  bool enabled() const { return options_.minutes > 0 || options_.unused_notice; }
  // One pass at `now`: writes the due reminders and unused notices. Returns how many bookings got rows here
  // (0 for those another node or an earlier pass already did).
  Result<int> run_once(TimePoint now);

 private:
  Result<bool> write_once(const domain::Booking& b, const std::string& what, TimePoint at, TimePoint now);

  store::Store& store_;
  ReminderOptions options_;
};

}  // namespace confpro::notify
