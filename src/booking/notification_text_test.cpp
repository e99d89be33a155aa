#include "booking/notification_text.h"

#include <gtest/gtest.h>

#include "domain/calendar.h"

namespace confpro::booking {
namespace {

using namespace domain;  // calendar.h

const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);  // 2027-01-15 08:00 UTC

domain::Booking booking() {
  domain::Booking b;
  b.id = BookingId{42};
  b.name = "Budget, Q1; ok";
  b.owner = "alice";
  b.number = "734912";
  b.user_pin = "1111";
  b.moderator_pin = "987654";
  b.valid_from = kT0;
  b.duration_minutes = 90;
  b.language = domain::Language::kEnglish;
  b.version = 3;
  b.invitees = {{"carol@example.com", "", ""}, {"dave@example.com", "", "604731"}};
  return b;
}

store::User owner() {
  store::User u;
  u.username = "alice";
  u.display_name = "Alice D.";
  u.email = "alice@example.com";
  return u;
}

const std::vector<store::AccessNumber> kNumbers{
    {"3000", "Local", "local", domain::Language::kFrench},
    {"0800300300", "Toll-free", "toll-free", domain::Language::kFrench}};

TEST(CalendarText, FoldsEscapesAndUsesUtc) {
  CalendarEvent e;
  e.sequence = 2;
  e.stamp = kT0;
  e.start = kT0;
  e.end = kT0 + std::chrono::minutes{30};
  e.summary = "a,b;c\\d";
  e.description = std::string(200, 'x') + "\né";
  std::string ics = calendar_text(e);
  EXPECT_NE(ics.find("DTSTART:20270115T080000Z\r\n"), std::string::npos);
  EXPECT_NE(ics.find("DTEND:20270115T083000Z\r\n"), std::string::npos);
  EXPECT_NE(ics.find("SUMMARY:a\\,b\\;c\\\\d\r\n"), std::string::npos);
  EXPECT_NE(ics.find("SEQUENCE:2\r\n"), std::string::npos);
  size_t start = 0;
  while (start < ics.size()) {  // every physical line ≤ 75 octets
    size_t end = ics.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 75u) << ics.substr(start, end - start);
    start = end + 2;
  }
  EXPECT_EQ(calendar_method(ics), "REQUEST");
  auto with_uid = with_calendar_uid(ics, BookingId{42}, "example.org");
  EXPECT_NE(with_uid.find("UID:booking-42@example.org\r\n"), std::string::npos);
}

TEST(NotificationText, CreatorGetsTheModeratorPinAndInviteesNeverDo) {
  auto b = booking();
  auto u = owner();
  auto rows = booking_notifications(b, &u, kNumbers, "Europe/Paris", kT0);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[0].calendar.find(b.moderator_pin), std::string::npos);
  EXPECT_NE(rows[0].calendar.find("ORGANIZER;CN=\"Alice D.\":mailto:alice@example.com"), std::string::npos);
  EXPECT_NE(rows[0].calendar.find("LOCATION:tel:0800300300 (734912)"), std::string::npos);  // toll-free first
  EXPECT_NE(rows[0].calendar.find("SEQUENCE:0\r\n"), std::string::npos);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].body.find(b.moderator_pin), std::string::npos);
    EXPECT_EQ(rows[i].calendar.find(b.moderator_pin), std::string::npos);
    EXPECT_NE(rows[i].calendar.find("ATTENDEE;"), std::string::npos);
    EXPECT_NE(rows[i].body.find("tel:0800300300"), std::string::npos);
  }
  EXPECT_NE(rows[2].body.find("604731"), std::string::npos);  // personal PIN
  EXPECT_EQ(rows[2].body.find("Participant PIN: 1111"), std::string::npos);
}

TEST(NotificationText, UpdateBumpsSequenceAndCancelsRemovedInvitees) {
  auto before = booking();
  auto after = before;
  after.invitees.pop_back();
  auto u = owner();
  auto rows = booking_change_notifications(before, after, BookingChange::kUpdated, &u, kNumbers, "UTC", kT0);
  ASSERT_EQ(rows.size(), 3u);  // owner, carol: REQUEST; dave (removed): CANCEL
  EXPECT_EQ(calendar_method(rows[0].calendar), "REQUEST");
  EXPECT_NE(rows[0].calendar.find("SEQUENCE:3\r\n"), std::string::npos);
  EXPECT_EQ(rows[0].subject, "Conference updated « Budget, Q1; ok »");
  EXPECT_EQ(rows[2].recipient, "dave@example.com");
  EXPECT_EQ(calendar_method(rows[2].calendar), "CANCEL");
  EXPECT_EQ(rows[2].booking, BookingId{42});
  auto gone = booking_change_notifications(before, before, BookingChange::kDeleted, &u, kNumbers, "UTC", kT0);
  ASSERT_EQ(gone.size(), 3u);
  for (const auto& m : gone) {
    EXPECT_EQ(calendar_method(m.calendar), "CANCEL");
    EXPECT_NE(m.calendar.find("STATUS:CANCELLED"), std::string::npos);
    EXPECT_EQ(m.body.find(before.moderator_pin), std::string::npos);
  }
}

}  // namespace
}  // namespace confpro::booking
