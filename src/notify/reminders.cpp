#include "notify/reminders.h"

#include "booking/notification_text.h"

namespace confpro::notify {

bool reminder_due(const domain::Booking& b, int minutes, TimePoint now) {
  if (minutes <= 0 || b.state != domain::BookingState::kScheduled) return false;
  const TimePoint at = b.valid_from - std::chrono::minutes{minutes};
  return at <= now && now < b.valid_from && b.created_at <= at;
}

bool unused_notice_due(const domain::Booking& b, TimePoint now) {
  return b.state == domain::BookingState::kEnded && b.end_reason == domain::EndReason::kExpiredUnused &&
         !b.opened_at && b.ended_at && *b.ended_at <= now && now - *b.ended_at < kUnusedNoticeWindow;
}

ReminderScan::ReminderScan(store::Store& store, ReminderOptions options)
    : store_(store), options_(std::move(options)) {}

Result<bool> ReminderScan::write_once(const domain::Booking& b, const std::string& what, TimePoint at,
                                      TimePoint now) {
  auto owner = store_.find_user(b.owner);
  const store::User* user = owner.ok() ? &*owner : nullptr;
  std::vector<store::OutboxMessage> rows;
  if (what == "reminder") {
    auto numbers = store_.list_access_numbers();
    if (!numbers.ok()) return numbers.error();
    rows = booking::reminder_notifications(b, user, *numbers, options_.time_zone, options_.minutes,
                                           options_.email, options_.sms, now);
  } else {
    rows = booking::unused_notifications(b, user, options_.time_zone, now);
  }
  // Marked even with no row (nobody to tell): the decision is made once.
  return store_.enqueue_once(b.id, what, at, rows);
}

Result<int> ReminderScan::run_once(TimePoint now) {
  int written = 0;
  if (options_.minutes > 0) {
    auto due = store_.bookings_to_remind(now, now + std::chrono::minutes{options_.minutes} + Millis{1}, 500);
    if (!due.ok()) return due.error();
    for (const auto& b : *due) {
      if (!reminder_due(b, options_.minutes, now)) continue;
      auto done = write_once(b, "reminder", b.valid_from, now);
      if (!done.ok()) return done.error();
      written += *done ? 1 : 0;
    }
  }
  if (options_.unused_notice) {
    auto lapsed = store_.lapsed_unused(now - kUnusedNoticeWindow, now + Millis{1}, 500);
    if (!lapsed.ok()) return lapsed.error();
    for (const auto& b : *lapsed) {
      if (!unused_notice_due(b, now)) continue;
      auto done = write_once(b, "unused", *b.ended_at, now);
      if (!done.ok()) return done.error();
      written += *done ? 1 : 0;
    }
  }
  return written;
}

}  // namespace confpro::notify
