#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "notify/delivery_worker.h"
#include "notify/mime.h"
#include "notify/reminders.h"
#include "notify/retry.h"
#include "notify/sms_sender.h"
#include "store/test_support.h"

namespace confpro::notify {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using store::testing::open_migrated;
using store::testing::sample_booking;
using store::testing::TempDir;

const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);  // 2027-01-15 08:00 UTC

store::OutboxMessage row(std::int64_t id, const std::string& subject, const std::string& calendar = "") {
  store::OutboxMessage m;
  m.id = id;
  m.booking = BookingId{7};
  m.recipient = "carol@example.com";
  m.subject = subject;
  m.body = "Conference: Budget\nDial in: tel:0800300300  (number 734912)\n";
  m.calendar = calendar;
  m.created_at = kT0;
  m.next_attempt_at = kT0;
  return m;
}

TEST(Mime, AsciiSubjectStaysAndUtf8IsEncodedWordsOfAtMost75Octets) {
  EXPECT_EQ(encode_header("Your conference"), "Your conference");
  const std::string french = "Invitation à la conférence « Réunion budgétaire trimestrielle de l'équipe »";
  std::string encoded = encode_header(french);
  EXPECT_EQ(encoded.rfind("=?UTF-8?B?", 0), 0u);
  size_t start = 0;
  while (start < encoded.size()) {
    size_t end = encoded.find("\r\n ", start);
    if (end == std::string::npos) end = encoded.size();
    EXPECT_LE(end - start, 75u);
    start = end + 3;
  }
  EXPECT_EQ(encode_header("a\r\nBcc: x@y"), "=?UTF-8?B?YQ0KQmNjOiB4QHk=?=");  // no header injection
}

TEST(Mime, DateAndMessageIdAreThereAndStablePerRow) {
  auto m = row(12, "Hello");
  std::string a = build_email(m, {"Conference Pro <noreply@conf.example>", ""}, kT0);
  std::string b = build_email(m, {"Conference Pro <noreply@conf.example>", ""}, kT0 + minutes{5});
  EXPECT_EQ(a.rfind("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n", 0), 0u) << a;
  EXPECT_NE(a.find("\r\nMessage-ID: <outbox-12.7@conf.example>\r\n"), std::string::npos);
  EXPECT_NE(b.find("\r\nMessage-ID: <outbox-12.7@conf.example>\r\n"), std::string::npos);
  EXPECT_NE(a.find("Content-Type: multipart/alternative;"), std::string::npos);
  EXPECT_NE(a.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);
  EXPECT_EQ(a.find("multipart/mixed"), std::string::npos);  // no calendar: no attachment
  EXPECT_EQ(a.find("\n\n"), std::string::npos);             // CRLF only
}

TEST(Mime, CalendarRowIsMixedWithAlternativeAndAttachmentAndMatchingMethod) {
  const std::string ics =
      "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:{booking-uid}\r\nEND:VEVENT\r\n"
      "END:VCALENDAR\r\n";
  std::string mail = build_email(row(3, "x", ics), {"noreply@conf.example", ""}, kT0);
  size_t mixed = mail.find("Content-Type: multipart/mixed;"),
         alt = mail.find("Content-Type: multipart/alternative;");
  size_t cal = mail.find("Content-Type: text/calendar; charset=UTF-8; method=CANCEL");
  size_t att = mail.find("Content-Disposition: attachment; filename=\"invite.ics\"");
  ASSERT_NE(mixed, std::string::npos);
  ASSERT_NE(alt, std::string::npos);
  ASSERT_NE(cal, std::string::npos);
  ASSERT_NE(att, std::string::npos);
  EXPECT_LT(mixed, alt);
  EXPECT_LT(alt, cal);
  EXPECT_LT(cal, att);
}

// A row with the operator's HTML (an .html template) sends it as the HTML part, as stored; without, the HTML part
// is made from the text.
TEST(Mime, TheRowsOwnHtmlIsTheHtmlPart) {
  auto m = row(5, "Hello");
  m.html = "<p style=\"color:#036\">Budget &amp; co</p>";
  const std::string with = build_email(m, {"noreply@conf.example", ""}, kT0);
  m.html.clear();
  const std::string without = build_email(m, {"noreply@conf.example", ""}, kT0);
  auto html_part = [](const std::string& mail) {
    size_t at = mail.find("Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    EXPECT_NE(at, std::string::npos);
    at = mail.find("\r\n\r\n", at) + 4;
    std::string b64 = mail.substr(at, mail.find("\r\n--", at) - at);
    std::erase(b64, '\r');
    std::erase(b64, '\n');
    return b64;
  };
  EXPECT_EQ(html_part(with), "PHAgc3R5bGU9ImNvbG9yOiMwMzYiPkJ1ZGdldCAmYW1wOyBjbzwvcD4=");  // base64 of m.html
  EXPECT_NE(html_part(without), html_part(with));
}

TEST(Mime, HtmlEscapesAndLinksTheDialIn) {
  std::string html = html_from_text("a <b> & c\nDial in: tel:0800300300  (x)\n");
  EXPECT_NE(html.find("a &lt;b&gt; &amp; c"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"tel:0800300300\">0800300300</a>"), std::string::npos);
}

TEST(Retry, BackOffDoublesWithJitterUpToTheCapThenGivesUpAtTheDeadline) {
  RetryPolicy p{milliseconds{1000}, milliseconds{8000}, minutes{1}};
  EXPECT_EQ(next_attempt(p, 1, kT0, kT0, 0.0), kT0 + milliseconds{500});
  EXPECT_EQ(next_attempt(p, 1, kT0, kT0, 1.0), kT0 + milliseconds{1000});
  EXPECT_EQ(next_attempt(p, 2, kT0, kT0, 1.0), kT0 + milliseconds{2000});
  EXPECT_EQ(next_attempt(p, 3, kT0, kT0, 0.5), kT0 + milliseconds{3000});
  EXPECT_EQ(next_attempt(p, 10, kT0, kT0, 1.0), kT0 + milliseconds{8000});             // capped
  EXPECT_EQ(next_attempt(p, 60, kT0, kT0, 1.0), kT0 + milliseconds{8000});             // no overflow
  EXPECT_FALSE(next_attempt(p, 5, kT0 + milliseconds{55'000}, kT0, 1.0).has_value());  // past the deadline
}

TEST(Retry, RateLimitIsPerDestination) {
  RateLimiter limit(2, 2);
  auto t = std::chrono::steady_clock::time_point{} + std::chrono::seconds{100};
  EXPECT_TRUE(limit.try_take("a", t));
  EXPECT_TRUE(limit.try_take("a", t));
  EXPECT_FALSE(limit.try_take("a", t));
  EXPECT_TRUE(limit.try_take("b", t));
  EXPECT_TRUE(limit.try_take("a", t + milliseconds{500}));  // one token back after 0.5 s at 2/s
}

// A sender that fails the first `failures` sends, then accepts; remembers what it was given.
class ScriptedSender final : public Sender {
 public:
  explicit ScriptedSender(int failures, bool permanent = false, bool server_down = false)
      : failures_(failures), permanent_(permanent), server_down_(server_down) {}
  std::string destination(const store::OutboxMessage&) const override { return "smtp://test"; }
  SendResult send(const store::OutboxMessage& m) override {
    sent.push_back(m.id);
    if (failures_-- > 0) return {false, permanent_, "421 try later", server_down_};
    return {true, false, "250"};
  }
  std::vector<std::int64_t> sent;

 private:
  int failures_;
  bool permanent_, server_down_;
};

class WorkerTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::unique_ptr<store::Store> store_ = open_migrated(dir_.path() / "n.db");
  ManualClock clock_{kT0};
  // A row of no booking (the outbox's booking_id references bookings).
  store::OutboxMessage enqueue(const std::string& subject) {
    auto m = row(0, subject);
    m.booking = {};
    return store_->enqueue(m).value();
  }
};

TEST_F(WorkerTest, RetriesAfterTheBackOffThenRecordsSent) {
  auto sender = std::make_unique<ScriptedSender>(1);
  auto* s = sender.get();
  std::map<std::string, std::unique_ptr<Sender>> senders;
  senders["email"] = std::move(sender);
  DeliveryWorker w(*store_, clock_, std::move(senders),
                   {{milliseconds{1000}, milliseconds{4000}, minutes{1}}}, 42);
  auto m = enqueue("x");
  EXPECT_EQ(w.run_once(), 1);
  auto rows = store_->list_outbox("", 10).value();
  EXPECT_EQ(rows[0].status, "pending");
  EXPECT_EQ(rows[0].attempts, 1);
  EXPECT_EQ(rows[0].last_error, "421 try later");
  EXPECT_GE(rows[0].next_attempt_at, kT0 + milliseconds{500});
  EXPECT_LE(rows[0].next_attempt_at, kT0 + milliseconds{1000});
  EXPECT_EQ(w.run_once(), 0);  // not yet due
  clock_.advance(milliseconds{1000});
  EXPECT_EQ(w.run_once(), 1);
  rows = store_->list_outbox("", 10).value();
  EXPECT_EQ(rows[0].status, "sent");
  EXPECT_EQ(rows[0].attempts, 2);
  EXPECT_EQ(s->sent, (std::vector<std::int64_t>{m.id, m.id}));
}

TEST_F(WorkerTest, GivesUpAtTheDeadlineOrOnAPermanentRefusal) {
  auto a = enqueue("x");
  {
    std::map<std::string, std::unique_ptr<Sender>> senders;
    senders["email"] = std::make_unique<ScriptedSender>(100);
    DeliveryWorker w(*store_, clock_, std::move(senders),
                     {{milliseconds{1000}, milliseconds{4000}, minutes{1}}}, 1);
    for (int i = 0; i < 40; ++i) {
      w.run_once();
      clock_.advance(milliseconds{4000});
    }
  }
  auto rows = store_->list_outbox("failed", 10).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, a.id);
  EXPECT_GT(rows[0].attempts, 5);
  auto b = enqueue("y");
  std::map<std::string, std::unique_ptr<Sender>> senders;
  senders["email"] = std::make_unique<ScriptedSender>(1, true);
  DeliveryWorker w(*store_, clock_, std::move(senders), {}, 1);
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(store_->list_outbox("failed", 10)->size(), 2u);
}

TEST_F(WorkerTest, AServerDownIsProbedByOneMessageNotOneTimeoutPerMessage) {
  auto a = enqueue("x");
  auto b = enqueue("y");
  auto sender = std::make_unique<ScriptedSender>(2, false, true);
  auto* s = sender.get();
  std::map<std::string, std::unique_ptr<Sender>> senders;
  senders["email"] = std::move(sender);
  DeliveryWorker w(*store_, clock_, std::move(senders),
                   {{milliseconds{1000}, milliseconds{4000}, minutes{1}}}, 7);
  EXPECT_EQ(w.run_once(), 1);  // the first fails with the server down: the second is not tried
  EXPECT_EQ(w.run_once(), 0);  // held
  clock_.advance(milliseconds{1000});
  EXPECT_EQ(w.run_once(), 1);  // one probe again (the second, due since the start), still down
  clock_.advance(milliseconds{1000});
  EXPECT_EQ(w.run_once(), 2);  // back: both sent
  EXPECT_EQ(s->sent, (std::vector<std::int64_t>{a.id, b.id, a.id, b.id}));
  const auto rows = store_->list_outbox("", 10).value();
  for (const auto& r : rows) EXPECT_EQ(r.status, "sent");
}

TEST_F(WorkerTest, WithoutASenderRowsStayPending) {
  DeliveryWorker w(*store_, clock_, {}, {}, 1);
  enqueue("x");
  EXPECT_EQ(w.run_once(), 0);
  EXPECT_EQ(w.run_once(), 0);
  auto rows = store_->list_outbox("", 10).value();
  EXPECT_EQ(rows[0].status, "pending");
  EXPECT_EQ(rows[0].attempts, 0);
}

TEST_F(WorkerTest, ARowTakenByAnotherWorkerIsNotSentTwice) {
  auto m = enqueue("x");
  ASSERT_TRUE(store_->claim_message(m.id, m.next_attempt_at, kT0 + minutes{2}).value());  // another node
  std::map<std::string, std::unique_ptr<Sender>> senders;
  senders["email"] = std::make_unique<ScriptedSender>(0);
  DeliveryWorker w(*store_, clock_, std::move(senders), {}, 1);
  EXPECT_EQ(w.run_once(), 0);
  clock_.advance(minutes{3});  // its lease ran out without a record (it crashed): sent here
  EXPECT_EQ(w.run_once(), 1);
}

// A sender that counts what it accepted, for a worker on its own thread.
class CountingSender final : public Sender {
 public:
  std::string destination(const store::OutboxMessage&) const override { return "smtp://test"; }
  SendResult send(const store::OutboxMessage&) override {
    {
      std::lock_guard lock(mu_);
      ++sent_;
    }
    cv_.notify_all();
    return {true, false, "250"};
  }
  bool wait_for_sent(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return sent_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int sent_ = 0;
};

// A row written in this process wakes the started worker: sent at once, not at the next poll (a minute here).
TEST_F(WorkerTest, ARowWrittenHereWakesTheWorkerBeforeItsPoll) {
  auto sender = std::make_unique<CountingSender>();
  auto* s = sender.get();
  std::map<std::string, std::unique_ptr<Sender>> senders;
  senders["email"] = std::move(sender);
  WorkerOptions options;
  options.poll_interval = minutes{1};
  DeliveryWorker w(*store_, clock_, std::move(senders), options, 1);
  enqueue("first");
  w.start();
  ASSERT_TRUE(s->wait_for_sent(1, std::chrono::seconds{20}));  // its first look
  enqueue("second");                                          // the worker now waits for its poll
  EXPECT_TRUE(s->wait_for_sent(2, std::chrono::seconds{20}));
  auto b = sample_booking("Woken", "734999", kT0 + std::chrono::hours{1});  // a booking's own rows too
  store::SideEffects effects;
  effects.outbox = {row(0, "booked")};
  ASSERT_TRUE(store_->insert_booking(b, effects).ok());
  EXPECT_TRUE(s->wait_for_sent(3, std::chrono::seconds{20}));
  w.stop();
  enqueue("after the stop");  // no listener left behind
  EXPECT_EQ(store_->list_outbox("pending", 10)->size(), 1u);
}

TEST(Sms, Gsm7WhenEveryCharacterIsInTheDefaultAlphabetOrItsExtension) {
  EXPECT_TRUE(fits_gsm7("Conference Budget: 734912, PIN 1234, +33 800 300 300"));
  EXPECT_TRUE(fits_gsm7("Réunion à 9h: élève, Ça fait 5 €? [x] {y} ~ ^ | \\ @ £ ¥ § ¿ ¡ Ü ñ ß Δ Ω _\n"));
  EXPECT_FALSE(fits_gsm7("Conférence: coûte"));  // û is not GSM-7
  EXPECT_FALSE(fits_gsm7("ça"));                 // only the capital Ç is
  EXPECT_FALSE(fits_gsm7("à l'hôtel"));          // ô
  EXPECT_FALSE(fits_gsm7("`quoted`"));           // the grave accent is not
  EXPECT_FALSE(fits_gsm7("會議"));
  EXPECT_FALSE(fits_gsm7("ok \xF0\x9F\x98\x80"));  // an emoji
  EXPECT_FALSE(fits_gsm7("bad \xC3"));             // truncated UTF-8
  EXPECT_FALSE(fits_gsm7("bad \xE9t\xE9"));        // Latin-1, not UTF-8
  EXPECT_TRUE(fits_gsm7(""));
}

TEST(Sms, NumbersAreE164AfterTheNormaliserAndTheOperatorRulesBackwards) {
  const std::vector<domain::NumberRule> france{{"0033", "0"}};
  EXPECT_EQ(e164("+33 6 12 34 56 78"), "+33612345678");
  EXPECT_EQ(e164("0033 (6) 12-34.56.78"), "+33612345678");
  EXPECT_EQ(e164("06 12 34 56 78", france), "+33612345678");
  EXPECT_EQ(e164("+33 6 12 34 56 78", france), "+33612345678");
  EXPECT_EQ(e164("06 12 34 56 78"), "");  // national, and no rule says which country
  EXPECT_EQ(e164("alice"), "");
  EXPECT_EQ(e164("+33 6x"), "");
  EXPECT_EQ(e164("+123"), "");               // too short
  EXPECT_EQ(e164("+1234567890123456"), "");  // 16 digits: too long
}

TEST(Sms, SendsmsUrlCarriesCredentialsNumberAndEncodedTextWithTheCoding) {
  SmsOptions o;
  o.url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  o.username = "conf pro";
  o.password = "p&ss=1";
  o.from = "ConfPro";
  EXPECT_EQ(sendsms_url(o, "+33612345678", "Budget: 734912 & PIN 1234"),
            "http://127.0.0.1:13013/cgi-bin/sendsms?username=conf%20pro&password=p%26ss%3D1&from=ConfPro"
            "&to=%2B33612345678&text=Budget%3A%20734912%20%26%20PIN%201234&charset=UTF-8&coding=0");
  EXPECT_EQ(sendsms_url(o, "+33612345678", "Conférence"),
            "http://127.0.0.1:13013/cgi-bin/sendsms?username=conf%20pro&password=p%26ss%3D1&from=ConfPro"
            "&to=%2B33612345678&text=Conf%C3%A9rence&charset=UTF-8&coding=0");  // é is GSM-7
  std::string ucs2 = sendsms_url(o, "+33612345678", "Réunion à l'hôtel");
  EXPECT_NE(ucs2.find("&text=R%C3%A9union%20%C3%A0%20l%27h%C3%B4tel&charset=UTF-8&coding=2"),
            std::string::npos)
      << ucs2;
  o.url = "http://gw/sendsms?smsc=fake";
  o.from = "";
  EXPECT_EQ(sendsms_url(o, "+1", "x").rfind("http://gw/sendsms?smsc=fake&username=", 0), 0u);
  EXPECT_EQ(sendsms_url(o, "+1", "x").find("from="), std::string::npos);
}

TEST(Sms, DeliveryReportsAreAskedWithTheRowsOwnCallbackOnlyWhenAReportUrlIsSet) {
  SmsOptions o;
  o.url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  EXPECT_EQ(report_callback_url(o, 42, "a1b2"), "");  // no report_url: no reports asked
  EXPECT_EQ(sendsms_url(o, "+33612345678", "x", report_callback_url(o, 42, "a1b2")).find("dlr"),
            std::string::npos);
  o.report_url = "http://10.0.0.5:8080/";
  EXPECT_EQ(report_callback_url(o, 42, ""), "");  // a row without token (written before v9)
  const std::string callback = report_callback_url(o, 42, "a1b2");
  EXPECT_EQ(callback, "http://10.0.0.5:8080/api/v1/notify/sms-dlr?id=42&token=a1b2&status=%d&answer=%A");
  const std::string url = sendsms_url(o, "+33612345678", "x", callback);
  EXPECT_NE(url.find("&coding=0&dlr-mask=23&dlr-url=http%3A%2F%2F10.0.0.5%3A8080%2Fapi%2Fv1%2Fnotify%2Fsms-dlr"
                     "%3Fid%3D42%26token%3Da1b2%26status%3D%25d%26answer%3D%25A"),
            std::string::npos)
      << url;
}

TEST(Sms, ANumberWithoutE164FormIsRefusedForGoodWithoutCallingTheGateway) {
  SmsOptions o;
  o.url = "http://127.0.0.1:1/cgi-bin/sendsms";
  SmsSender sender(o);
  store::OutboxMessage m;
  m.kind = "sms";
  m.recipient = "06 12 34 56 78";
  m.body = "x";
  SendResult r = sender.send(m);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_FALSE(r.server_down);
  EXPECT_NE(r.reply.find("E.164"), std::string::npos);
}

// Issue 15 item 4: when a reminder is due.
TEST(Reminders, DueFromNMinutesBeforeTheStartUntilTheStartForABookingMadeBefore) {
  auto b = sample_booking("Budget", "734912", kT0);
  b.created_at = kT0 - std::chrono::hours{3};
  EXPECT_FALSE(reminder_due(b, 15, kT0 - minutes{16}));  // not yet
  EXPECT_TRUE(reminder_due(b, 15, kT0 - minutes{15}));
  EXPECT_TRUE(reminder_due(b, 15, kT0 - milliseconds{1}));
  EXPECT_FALSE(reminder_due(b, 15, kT0));                  // started: too late
  EXPECT_FALSE(reminder_due(b, 0, kT0 - minutes{1}));      // reminders off
  b.created_at = kT0 - minutes{10};                        // booked inside the window: its creation mail said it
  EXPECT_FALSE(reminder_due(b, 15, kT0 - minutes{5}));
  b.created_at = kT0 - minutes{15};
  EXPECT_TRUE(reminder_due(b, 15, kT0 - minutes{5}));
  b.state = domain::BookingState::kActive;                 // opened early: nothing to remind
  EXPECT_FALSE(reminder_due(b, 15, kT0 - minutes{5}));
}

TEST(Reminders, UnusedNoticeOnlyForARecentExpiryOfANeverOpenedBooking) {
  auto b = sample_booking("Budget", "734912", kT0);
  b.state = domain::BookingState::kEnded;
  b.end_reason = domain::EndReason::kExpiredUnused;
  b.ended_at = kT0;
  EXPECT_TRUE(unused_notice_due(b, kT0));
  EXPECT_TRUE(unused_notice_due(b, kT0 + std::chrono::hours{23}));
  EXPECT_FALSE(unused_notice_due(b, kT0 + kUnusedNoticeWindow));  // long gone
  EXPECT_FALSE(unused_notice_due(b, kT0 - minutes{1}));
  b.end_reason = domain::EndReason::kEndedByAdmin;
  EXPECT_FALSE(unused_notice_due(b, kT0));
  b.end_reason = domain::EndReason::kExpiredUnused;
  b.opened_at = kT0 - minutes{5};
  EXPECT_FALSE(unused_notice_due(b, kT0));
}

// Two scans over one store (two nodes), run again (a restart): each booking's reminder is written once; moved,
// once more; a lapsed booking's notice once.
TEST(Reminders, ScansOfSeveralNodesWriteEachReminderOnce) {
  TempDir dir;
  auto store = open_migrated(dir.path() / "r.db");
  ASSERT_TRUE(store);
  store::User alice;
  alice.username = "alice";
  alice.email = "alice@example.com";
  alice.mobile = "+33612345678";
  ASSERT_TRUE(store->add_user(alice).ok());
  auto b = sample_booking("Budget", "734912", kT0);
  b.created_at = kT0 - std::chrono::hours{1};
  b.invitees = {{"carol@example.com", "", ""}};
  b = store->insert_booking(b, {}).value();
  auto later = sample_booking("Later", "734913", kT0 + std::chrono::hours{1});
  later.created_at = b.created_at;
  ASSERT_TRUE(store->insert_booking(later, {}).ok());

  ReminderOptions options;
  options.minutes = 10;
  options.sms = true;
  ReminderScan node1(*store, options), node2(*store, options);
  EXPECT_EQ(node1.run_once(kT0 - minutes{11}).value(), 0);  // not yet
  EXPECT_EQ(node1.run_once(kT0 - minutes{10}).value(), 1);
  EXPECT_EQ(node2.run_once(kT0 - minutes{10}).value(), 0);
  EXPECT_EQ(node1.run_once(kT0 - minutes{9}).value(), 0);
  auto rows = store->list_outbox("", 100).value();
  ASSERT_EQ(rows.size(), 3u);  // alice by e-mail and SMS, carol by e-mail
  EXPECT_EQ(rows[0].recipient, "alice@example.com");
  EXPECT_EQ(rows[1].recipient, "carol@example.com");
  EXPECT_EQ(rows[2].kind, "sms");

  b.valid_from = kT0 + minutes{5};  // moved: reminded again before its new start
  b = store->update_booking(b, b.version, {}).value();
  EXPECT_EQ(node2.run_once(kT0 - minutes{4}).value(), 1);
  EXPECT_EQ(node1.run_once(kT0 - minutes{4}).value(), 0);
  EXPECT_EQ(store->list_outbox("", 100)->size(), 6u);

  options.unused_notice = true;
  ReminderScan node3(*store, options);
  b.state = domain::BookingState::kEnded;
  b.end_reason = domain::EndReason::kExpiredUnused;
  b.ended_at = b.valid_until();
  b = store->update_booking(b, b.version, {}).value();
  EXPECT_EQ(node3.run_once(*b.ended_at + std::chrono::seconds{5}).value(), 1);
  EXPECT_EQ(node3.run_once(*b.ended_at + std::chrono::seconds{10}).value(), 0);
  rows = store->list_outbox("", 100).value();
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows.back().subject, "Conférence non utilisée « Budget »");
}

// alice's booking "Budget" at kT0, made two hours before, and a scan reminding 10 minutes ahead.
struct RemindedBooking {
  TempDir dir;
  std::unique_ptr<store::Store> store = open_migrated(dir.path() / "m.db");
  domain::Booking booking;
  ReminderScan scan{*store, ReminderOptions{.minutes = 10}};
  RemindedBooking() {
    store::User alice;
    alice.username = "alice";
    alice.email = "alice@example.com";
    EXPECT_TRUE(store->add_user(alice).ok());
    booking = sample_booking("Budget", "734912", kT0);
    booking.created_at = kT0 - std::chrono::hours{2};
    booking = store->insert_booking(booking, {}).value();
  }
};

// Issue 15 item 4: a booking already reminded, then moved to a later start whose reminder moment is still ahead,
// is not reminded at once but again before its new start (the mark is per start: notify_marks' key has it).
TEST(Reminders, ABookingMovedLaterAfterItsReminderIsRemindedAgainBeforeItsNewStart) {
  RemindedBooking r;
  auto& store = r.store;
  auto& b = r.booking;
  auto& scan = r.scan;
  EXPECT_EQ(scan.run_once(kT0 - minutes{10}).value(), 1);
  b.valid_from = kT0 + std::chrono::hours{1};  // moved an hour later, after its reminder
  b = store->update_booking(b, b.version, {}).value();
  EXPECT_EQ(scan.run_once(kT0 - minutes{5}).value(), 0);             // its new reminder moment is ahead
  EXPECT_EQ(scan.run_once(kT0 + minutes{49}).value(), 0);
  EXPECT_EQ(scan.run_once(kT0 + minutes{50}).value(), 1);            // reminded for the new start
  EXPECT_EQ(scan.run_once(kT0 + minutes{55}).value(), 0);            // once
  EXPECT_EQ(store->list_outbox("", 10)->size(), 2u);
}

// Moved away after its reminder, then back to that start: reminded again (the marks of other starts are dropped
// when the start changes), once; a change that keeps the start (the name) reminds nobody twice.
TEST(Reminders, ABookingMovedBackToAStartAlreadyRemindedIsRemindedAgain) {
  RemindedBooking r;
  auto& store = r.store;
  auto& b = r.booking;
  auto& scan = r.scan;
  EXPECT_EQ(scan.run_once(kT0 - minutes{10}).value(), 1);
  b.name = "Budget review";  // same start: no second reminder
  b = store->update_booking(b, b.version, {}).value();
  EXPECT_EQ(scan.run_once(kT0 - minutes{9}).value(), 0);
  b.valid_from = kT0 + std::chrono::hours{1};
  b = store->update_booking(b, b.version, {}).value();
  EXPECT_EQ(scan.run_once(kT0 - minutes{8}).value(), 0);
  b.valid_from = kT0;  // back: the customer was told it moved, so remind again
  b = store->update_booking(b, b.version, {}).value();
  EXPECT_EQ(scan.run_once(kT0 - minutes{7}).value(), 1);
  EXPECT_EQ(scan.run_once(kT0 - minutes{6}).value(), 0);
  EXPECT_EQ(store->list_outbox("", 10)->size(), 2u);
}

}  // namespace
}  // namespace confpro::notify
