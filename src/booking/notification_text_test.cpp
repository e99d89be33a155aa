#include "booking/notification_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "booking/notification_templates.h"
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

namespace confpro::booking {
namespace {

// Issue 15 item 4: a reminder in the booking's language, to the owner (both PINs) and invitees (their PIN, never
// the moderator's), no calendar; the SMS to the owner only when asked.
TEST(ReminderText, OwnerAndInviteesInTheBookingsLanguageWithoutCalendar) {
  auto b = booking();
  auto o = owner();
  o.mobile = "+33612345678";
  auto rows = reminder_notifications(b, &o, kNumbers, "Europe/Paris", 15, true, false, kT0);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& m : rows) {
    EXPECT_EQ(m.kind, "email");
    EXPECT_EQ(m.subject, "Reminder: conference « Budget, Q1; ok »");
    EXPECT_TRUE(m.calendar.empty());
    EXPECT_EQ(m.booking, b.id);
    EXPECT_EQ(m.body.rfind("Your conference starts in 15 minutes.\n\n", 0), 0u) << m.body;
    EXPECT_NE(m.body.find("tel:0800300300"), std::string::npos);
  }
  EXPECT_EQ(rows[0].recipient, "alice@example.com");
  EXPECT_NE(rows[0].body.find("Moderator PIN: 987654"), std::string::npos);
  EXPECT_EQ(rows[1].body.find("987654"), std::string::npos);
  EXPECT_NE(rows[1].body.find("Participant PIN: 1111"), std::string::npos);
  EXPECT_NE(rows[2].body.find("Your personal PIN: 604731"), std::string::npos);

  b.language = domain::Language::kFrench;
  rows = reminder_notifications(b, &o, kNumbers, "Europe/Paris", 15, false, true, kT0);
  ASSERT_EQ(rows.size(), 1u);  // SMS only: to the owner
  EXPECT_EQ(rows[0].kind, "sms");
  EXPECT_EQ(rows[0].recipient, "+33612345678");
  EXPECT_EQ(rows[0].body.rfind("Rappel - Conférence Budget, Q1; ok: 734912", 0), 0u) << rows[0].body;
  rows = reminder_notifications(b, &o, kNumbers, "Europe/Paris", 15, true, false, kT0);
  EXPECT_EQ(rows[0].subject, "Rappel : conférence « Budget, Q1; ok »");
  EXPECT_EQ(rows[0].body.rfind("Votre conférence commence dans 15 minutes.", 0), 0u);
  rows = reminder_notifications(b, &o, kNumbers, "Europe/Paris", 1, true, false, kT0);
  EXPECT_EQ(rows[0].body.rfind("Votre conférence commence dans 1 minute.", 0), 0u);
  EXPECT_EQ(reminder_notifications(b, nullptr, kNumbers, "Europe/Paris", 15, true, true, kT0).size(), 2u);
}

TEST(ReminderText, UnusedNoticeToTheOwnerOnly) {
  auto b = booking();
  b.ended_at = b.valid_until();
  const auto o = owner();
  auto rows = unused_notifications(b, &o, "Europe/Paris", kT0);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].recipient, "alice@example.com");
  EXPECT_EQ(rows[0].subject, "Conference not used « Budget, Q1; ok »");
  EXPECT_NE(rows[0].body.find("Nobody joined this conference: its validity ended on 2027-01-16 09:00 (Europe/Paris)"),
            std::string::npos)
      << rows[0].body;
  EXPECT_EQ(rows[0].body.find("987654"), std::string::npos);  // no PIN: nothing to join any more
  EXPECT_TRUE(unused_notifications(b, nullptr, "Europe/Paris", kT0).empty());
}

// Operator templates ([notify] templates_dir): a file overrides one text per message and language, with its
// placeholders filled; a missing file keeps the built-in text; bad files are refused at load with their name.
class TemplatesTest : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("confpro-templates-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override {
    use_templates(nullptr);
    std::filesystem::remove_all(dir_);
  }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string refusal() {
    auto t = load_templates(dir_.string());
    return t.ok() ? "" : t.error().message;
  }
};

TEST_F(TemplatesTest, AFileOverridesItsMessageAndLanguageWithPlaceholdersFilled) {
  write("created-invitee.en.subject", "Join {{name}} ({{number}})\n");
  write("created-invitee.en.txt", "Dial {{dial_in}}, conference {{number}}, PIN {{pin}}, by {{invited_by}}\n"
                                  "{{access_numbers}}From {{start}} ({{time_zone}})\n");
  write("created-owner.fr.subject", "Not used: the booking is in English");
  write("created-sms.en.sms", "{{name}}: {{number}} mod {{moderator_pin}} user {{user_pin}}\n");
  write("README.md", "notes beside the templates are skipped");
  auto t = load_templates(dir_.string());
  ASSERT_TRUE(t.ok()) << t.error().message;
  use_templates(std::make_shared<const Templates>(*t));
  auto b = booking();
  auto u = owner();
  u.mobile = "+33612345678";
  auto rows = booking_notifications(b, &u, kNumbers, "Europe/Paris", kT0);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].subject, "Your conference « Budget, Q1; ok »");  // no created-owner.en.*: built-in
  EXPECT_EQ(rows[1].subject, "Join Budget, Q1; ok (734912)");
  EXPECT_EQ(rows[1].body.rfind("Dial 0800300300, conference 734912, PIN 1111, by Alice D.\n3000  Local\n"
                               "0800300300  Toll-free\nFrom ",
                               0),
            0u)
      << rows[1].body;
  EXPECT_NE(rows[1].calendar.find("Dial 0800300300"), std::string::npos);  // the calendar's text is the same
  EXPECT_EQ(rows[2].body.rfind("Dial 0800300300, conference 734912, PIN 604731,", 0), 0u)
      << "dave's personal PIN";
  EXPECT_EQ(rows[3].kind, "sms");
  EXPECT_EQ(rows[3].body, "Budget, Q1; ok: 734912 mod 987654 user 1111");
  b.language = domain::Language::kFrench;  // another language: built-in texts
  rows = booking_notifications(b, &u, kNumbers, "Europe/Paris", kT0);
  EXPECT_EQ(rows[0].subject, "Not used: the booking is in English");
  EXPECT_EQ(rows[1].subject, "Invitation à la conférence « Budget, Q1; ok »");
}

// An .html file is the e-mail's HTML part: the operator's markup as written, every value escaped (a booking's name
// is the organizer's text) and multi-line values kept as lines; the text part and the calendar keep their own
// text. Without the file the row has no HTML of its own (made from the text when sent).
TEST_F(TemplatesTest, AnHtmlFileIsTheHtmlPartWithItsValuesEscaped) {
  write("created-invitee.en.html",
        "<h1 style=\"color:#036\">{{name}}</h1><p>Dial <a href=\"tel:{{dial_in}}\">{{dial_in}}</a>, PIN "
        "<b>{{pin}}</b></p><p>{{access_numbers}}</p>\n");
  write("reminder-owner.en.html", "<p>{{name}} starts in {{minutes}} min, moderator PIN {{moderator_pin}}</p>");
  write("unused-owner.en.html", "<p>{{name}} lapsed {{ended}}</p>");
  auto t = load_templates(dir_.string());
  ASSERT_TRUE(t.ok()) << t.error().message;
  use_templates(std::make_shared<const Templates>(*t));
  auto b = booking();
  b.name = "Budget <script>alert(1)</script> & \"Q1\"";
  auto u = owner();
  auto rows = booking_notifications(b, &u, kNumbers, "Europe/Paris", kT0);
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0].html, "");  // no created-owner.en.html
  EXPECT_EQ(rows[1].html,
            "<h1 style=\"color:#036\">Budget &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Q1&quot;</h1>"
            "<p>Dial <a href=\"tel:0800300300\">0800300300</a>, PIN <b>1111</b></p>"
            "<p>3000  Local<br>\n0800300300  Toll-free<br>\n</p>\n");
  EXPECT_EQ(rows[1].body.find("<h1"), std::string::npos);  // the text part keeps its own text
  EXPECT_EQ(rows[1].calendar.find("<h1"), std::string::npos);
  auto reminders = reminder_notifications(b, &u, kNumbers, "Europe/Paris", 15, true, false, kT0);
  ASSERT_GE(reminders.size(), 2u);
  EXPECT_NE(reminders[0].html.find("starts in 15 min, moderator PIN 987654"), std::string::npos)
      << reminders[0].html;
  EXPECT_EQ(reminders[1].html, "");  // no reminder-invitee.en.html
  b.ended_at = kT0;
  auto unused = unused_notifications(b, &u, "Europe/Paris", kT0);
  ASSERT_EQ(unused.size(), 1u);
  EXPECT_EQ(unused[0].html.rfind("<p>Budget &lt;script&gt;", 0), 0u) << unused[0].html;
  b.language = domain::Language::kFrench;  // no French .html: none
  EXPECT_EQ(booking_notifications(b, &u, kNumbers, "Europe/Paris", kT0)[1].html, "");
}

TEST_F(TemplatesTest, BadFilesAreRefusedWithTheirNameAndReason) {
  EXPECT_NE(load_templates((dir_ / "missing").string()).error().message.find("not a readable folder"),
            std::string::npos);
  write("created-invitee.en.txt", "PIN {{moderator_pin}}");
  EXPECT_NE(refusal().find("created-invitee.en.txt: {{moderator_pin}} in an invitee's template"), std::string::npos)
      << refusal();
  std::filesystem::remove(dir_ / "created-invitee.en.txt");
  write("reminder-invitee.fr.subject", "Rappel {{moderator_pin}}");
  EXPECT_NE(refusal().find("invitees never get the moderator PIN"), std::string::npos) << refusal();
  std::filesystem::remove(dir_ / "reminder-invitee.fr.subject");
  write("created-owner.en.txt", "{{nmae}}");
  EXPECT_NE(refusal().find("created-owner.en.txt: unknown placeholder {{nmae}}"), std::string::npos) << refusal();
  write("created-owner.en.txt", "{{name");
  EXPECT_NE(refusal().find("without"), std::string::npos) << refusal();
  write("created-owner.en.txt", std::string(kMaxTemplateBytes + 1, 'x'));
  EXPECT_NE(refusal().find("too large"), std::string::npos) << refusal();
  std::filesystem::remove(dir_ / "created-owner.en.txt");
  write("created-owner.de.txt", "x");
  EXPECT_NE(refusal().find("language must be en or fr"), std::string::npos) << refusal();
  std::filesystem::remove(dir_ / "created-owner.de.txt");
  write("created-owner.en.htm", "x");
  EXPECT_NE(refusal().find("subject, txt or html"), std::string::npos) << refusal();
  std::filesystem::remove(dir_ / "created-owner.en.htm");
  write("created-sms.en.html", "x");  // an SMS has no HTML
  EXPECT_NE(refusal().find("part must be sms"), std::string::npos) << refusal();
  std::filesystem::remove(dir_ / "created-sms.en.html");
  write("updated-invitee.en.html", "<p>{{moderator_pin}}</p>");
  EXPECT_NE(refusal().find("updated-invitee.en.html: {{moderator_pin}} in an invitee's template"),
            std::string::npos)
      << refusal();
  std::filesystem::remove(dir_ / "updated-invitee.en.html");
  write("booked.en.txt", "x");
  EXPECT_NE(refusal().find("unknown message \"booked\""), std::string::npos) << refusal();
  std::filesystem::remove(dir_ / "booked.en.txt");
  write("created-owner.en.subject", "two\nlines");
  EXPECT_NE(refusal().find("one line"), std::string::npos) << refusal();
  std::filesystem::remove(dir_ / "created-owner.en.subject");
  write("unused-owner.fr.txt", "Fini le {{ended}}, {{moderator_pin}}");  // the creator may have it
  EXPECT_EQ(refusal(), "");
}

}  // namespace
}  // namespace confpro::booking
