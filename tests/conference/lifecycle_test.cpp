// A conference's life by phone (FEATURES.md B3, B4, B6, I3; issue 5 "Tests"): warning and cut-off at the end
// (clock run fast with server.time_scale), a restart with an active conference, creation by phone.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "e2e.h"
#include "media/audio_file.h"
#include "web_client.h"

namespace confpro::conftest {
namespace {

std::string id_of(const Conf& c) { return std::to_string(c.id); }

TEST_F(ConferenceTest, ParticipantsAreWarnedAndCutOffAtTheEnd) {
  // 60x: the 6-minute conference lasts 6 s, the warning (5 minutes before the end) comes 1 s after opening.
  ServerOptions o;
  o.time_scale = 60;
  const Conf c = start_with_booking(o, "ends", {"--duration", "6"});
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  auto b = join_via_menu("B", c, c.moderator_pin, kToneB);
  ASSERT_TRUE(b);
  ASSERT_TRUE(wait_log("opened"));
  EXPECT_TRUE(wait_log("five-minute warning", 10s)) << "no warning before the end";

  ASSERT_TRUE(a->wait_ended(40s)) << "A was not cut off at the end";
  ASSERT_TRUE(b->wait_ended(10s)) << "B was not cut off at the end";
  EXPECT_TRUE(wait_log(" closed"));
  // The server's own times: warning 1 s and end 6 s after opening (at 60x), cut-off after the closing prompt.
  const auto opened = log_time_ms(" opened (ends"), warned = log_time_ms("five-minute warning"),
             ending = log_time_ms("ending: duration-elapsed"), closed = log_time_ms(" closed");
  ASSERT_TRUE(opened && warned && ending && closed) << "missing opened/warning/ending/closed log lines";
  report_ms("opened to warning (expected 1000 at 60x)", *warned - *opened);
  report_ms("opened to end (expected 6000 at 60x)", *ending - *opened);
  report_ms("end to everyone cut off (closing prompt)", *closed - *ending);
  EXPECT_NEAR(*warned - *opened, 1000, 500);
  EXPECT_NEAR(*ending - *opened, 6000, 500);
  EXPECT_TRUE(a->bye_received()) << "A's call did not end with the server's BYE";
  EXPECT_TRUE(b->bye_received()) << "B's call did not end with the server's BYE";
  // They heard the closing prompt: in the last seconds before the BYE, speech (sound that is not B's tone).
  const auto tail = a->heard_last(4000ms);
  bool speech = false;
  for (std::size_t at = 0; at + 1600 <= tail.size(); at += 800) {
    std::span<const std::int16_t> w(tail.data() + at, 1600);
    if (!is_silent(w) && !hears_tone(w, kToneB, 0.5)) speech = true;
  }
  EXPECT_TRUE(speech) << "A heard no closing prompt before being cut off";
  EXPECT_EQ(booking_state(c), "ended");
  EXPECT_SQL_EQ(*server, "SELECT close_reason FROM conference_sessions WHERE booking_id = " + id_of(c),
            std::vector<std::string>{"duration-elapsed"});
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + id_of(c) +
                        " AND left_at IS NULL",
            std::vector<std::string>{"0"});

  // An ended conference cannot be rejoined.
  auto late = call("late", c.number);
  ASSERT_TRUE(late);
  late->press(c.user_pin + "#");
  EXPECT_TRUE(late->wait_ended(20s)) << "a caller could stay in an ended conference";
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + id_of(c),
            std::vector<std::string>{"2"});
}

// Exact audio for the prompt checks (no silence suppression) on a clock run `time_scale` times faster.
ServerOptions fast_exact(double time_scale) {
  ServerOptions o;
  o.time_scale = time_scale;
  o.settings["media.suppress_silence"] = "false";
  return o;
}

// Issue 12 item 4: the 5-minute booking (warning time = its whole duration) is warned at its opening, right
// after the entry prompt; before, its warning time was the opening time and the timer was armed for future
// times only.
TEST_F(ConferenceTest, TheShortestBookingIsWarnedAtItsOpening) {
  const Conf c = start_with_booking(fast_exact(20), "five-minutes", {"--duration", "5"});  // 15 s at 20x
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A", c, c.user_pin);
  ASSERT_TRUE(a);
  ASSERT_TRUE(wait_log("joined as user"));
  EXPECT_TRUE(wait_log("five-minute warning (at opening)", 5s)) << "no warning logged at the opening";
  EXPECT_TRUE(wait_prompt(*a, {"warning-5-minutes"}, domain::Language::kEnglish, 0, 12s))
      << "the participant of a 5-minute booking never heard the warning";
  EXPECT_EQ(
      check_keys_in_order(a->heard_all(), {"only-person", "warning-5-minutes"}, domain::Language::kEnglish),
      "")
      << "the warning does not follow the entry prompt";
  EXPECT_TRUE(a->wait_ended(30s)) << "the 5-minute booking did not end";
}

// Issue 12 item 7: a listen-only user is told so on entry; a moderator is not.
TEST_F(ConferenceTest, ListenOnlyUserIsToldOnEntry) {
  const Conf c = start_with_booking(fast_exact(1), "listen-only-told", {"--listen-only"});
  ASSERT_FALSE(HasFatalFailure());
  auto m = join_via_menu("M", c, c.moderator_pin);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_log("joined as moderator"));
  auto u = join_via_menu("U-listener", c, c.user_pin);
  ASSERT_TRUE(u);
  ASSERT_TRUE(wait_log("joined as user"));
  EXPECT_TRUE(wait_prompt(*u, {"listen-only"}, domain::Language::kEnglish, 0, 15s))
      << "the listen-only user was not told";
  EXPECT_EQ(check_keys_in_order(u->heard_all(), {"placed-into-conference", "listen-only"},
                                domain::Language::kEnglish),
            "");
  EXPECT_LT(prompt_score(*m, {"listen-only"}, domain::Language::kEnglish, 0), kHeardScore)
      << "the moderator was told it is listen-only";
}

// Issue 12 item 3: a recorded conference nobody is left in stops recording at once and ends after
// conference.empty_end_minutes; before, it recorded silence until its duration ran out.
TEST_F(ConferenceTest, EmptyRoomPausesItsRecordingAndEndsAfterTheGraceTime) {
  ServerOptions o = fast_exact(10);  // the 1-minute grace lasts 6 s
  o.settings["conference.empty_end_minutes"] = "1";
  const Conf c = start_with_booking(o, "empty-room", {"--record"});
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  ASSERT_TRUE(wait_log("recording started"));
  const auto in_at = SteadyClock::now();
  std::this_thread::sleep_for(2s);
  EXPECT_TRUE(a->hang_up());
  const double in_room_ms = ms_between(in_at, SteadyClock::now());
  EXPECT_TRUE(wait_log("recording paused")) << "the empty room's recording was not paused";
  EXPECT_TRUE(wait_log("ending: empty", 15s)) << "the empty room did not end after the grace time";
  const auto empty = log_time_ms(" empty: recording paused"), ending = log_time_ms("ending: empty");
  ASSERT_TRUE(empty && ending);
  report_ms("empty to end (expected 6000: 1 minute at 10x)", *ending - *empty);
  EXPECT_NEAR(*ending - *empty, 6000, 1000);
  EXPECT_EQ(booking_state(c), "ended");
  EXPECT_SQL_EQ(*server, "SELECT close_reason FROM conference_sessions WHERE booking_id = " + id_of(c),
                std::vector<std::string>{"empty"});
  // The file holds the time someone was in, not the 6 s of empty room after.
  std::vector<std::string> files;
  Result<media::Pcm> pcm = Error::not_found("no recording");
  for (const auto deadline = SteadyClock::now() + 10s; SteadyClock::now() < deadline;) {
    const auto rows =
        server->sql("SELECT recording_path FROM conference_sessions WHERE booking_id = " + id_of(c));
    if (!rows.empty() && !rows[0].empty()) pcm = media::read_audio_file(rows[0], Softphone::kRate);
    if (pcm && pcm->duration_seconds() > 1.0) break;  // the writer thread finishes the file a moment later
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(pcm) << pcm.error().message;
  EXPECT_GT(pcm->duration_seconds(), 1.0) << "the time someone was in is not in the recording";
  report_ms("recording length", pcm->duration_seconds() * 1000);
  report_ms("time someone was in after the recording started", in_room_ms);
  EXPECT_LT(pcm->duration_seconds() * 1000, in_room_ms + 1500) << "the empty room was recorded";
}

TEST_F(ConferenceTest, RestartClosesTheInterruptedSessionAndCallersCanJoinAgain) {
  const Conf c = start_with_booking("restart");
  ASSERT_FALSE(HasFatalFailure());
  const auto epoch_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  std::int64_t killed_ms = 0;
  {
    auto a = join_via_menu("A", c, c.user_pin, kToneA);
    ASSERT_TRUE(a);
    auto b = join_via_menu("B", c, c.moderator_pin, kToneB);
    ASSERT_TRUE(b);
    ASSERT_TRUE(wait_tone(*a, kToneB)) << "A and B are not in the conference together";
    EXPECT_SQL_EQ(*server, "SELECT count(*) FROM conference_sessions WHERE booking_id = " + id_of(c) +
                          " AND closed_at IS NULL",
              std::vector<std::string>{"1"});
    server->kill9();
    killed_ms = epoch_ms();
    EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + id_of(c) +
                          " AND left_at IS NULL",
              std::vector<std::string>{"2"})
        << "before the restart, the killed server's connections are still open";
  }  // the phones go (their BYE goes nowhere)
  std::this_thread::sleep_for(4s);  // down for a while: that time is not counted as connected (nor billed)

  const std::int64_t restarted_ms = epoch_ms();
  ASSERT_TRUE(server->start());
  EXPECT_TRUE(wait_log("left open by the previous run (interrupted)"));
  EXPECT_SQL_EQ(*server, "SELECT closed_at IS NOT NULL, close_reason FROM conference_sessions WHERE booking_id = " +
                        id_of(c),
            std::vector<std::string>{"1|interrupted"});
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + id_of(c) +
                        " AND left_at IS NULL",
            std::vector<std::string>{"0"});
  EXPECT_SQL_EQ(*server, "SELECT DISTINCT leave_reason FROM participant_connections WHERE booking_id = " + id_of(c),
            std::vector<std::string>{"interrupted"});
  const auto left = server->sql("SELECT MAX(left_at) FROM participant_connections WHERE booking_id = " + id_of(c));
  ASSERT_EQ(left.size(), 1u);
  const std::int64_t left_ms = std::stoll(left[0]);
  report_ms("interrupted legs closed after the kill (the last heartbeat + 1 s)", left_ms - killed_ms);
  EXPECT_LE(left_ms, killed_ms + 2000) << "closed at the last heartbeat, not at the restart";
  EXPECT_GE(left_ms, killed_ms - 5000) << "the heartbeat, every second, is not that old";
  EXPECT_LT(left_ms, restarted_ms - 1000) << "the 4 s the node was down are not counted";

  // The conference is still valid and still running: callers join again and hear each other.
  auto a2 = join_via_menu("A2", c, c.user_pin, kToneA);
  ASSERT_TRUE(a2);
  auto b2 = join_via_menu("B2", c, c.moderator_pin, kToneB);
  ASSERT_TRUE(b2);
  EXPECT_TRUE(wait_tone(*a2, kToneB)) << "after the restart A2 does not hear B2";
  EXPECT_TRUE(wait_tone(*b2, kToneA)) << "after the restart B2 does not hear A2";
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + id_of(c) +
                        " AND left_at IS NULL",
            std::vector<std::string>{"2"});
}

// Issue 11 item 7: the running server reports its history writer at /api/v1/health, without logging in: a
// session and a connection written, nothing pending, healthy.
TEST_F(ConferenceTest, HealthReportsTheHistoryWriterOfTheRunningServer) {
  ServerOptions o;
  o.web = true;
  const Conf c = start_with_booking(o, "health");
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  ASSERT_TRUE(wait_log("joined as user"));
  WebClient web(server->web_port());
  nlohmann::json health;
  for (int i = 0; i < 50; ++i) {  // the writer commits a few ms after the join
    const auto r = web.get("/api/v1/health");
    ASSERT_EQ(r.status, 200) << r.body;
    health = r.json();
    if (health["history"]["written"].get<int>() >= 2) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(health["status"], "ok");
  EXPECT_GE(health["history"]["written"].get<int>(), 2) << health.dump();
  EXPECT_EQ(health["history"]["queued"], 0);
  EXPECT_EQ(health["history"]["failing_for"], 0);
  EXPECT_GE(health["history"]["since_last_write_ms"].get<long long>(), 0);
  EXPECT_FALSE(health["history"].contains("last_error"));
}

// A real SMTP server for the test's life: aiosmtpd's own command (Debian python3-aiosmtpd), plain SMTP on
// 127.0.0.1, each accepted message a file of its Maildir. Empty port(): aiosmtpd missing.
class MailSink {
 public:
  MailSink() {
    char tmpl[] = "/tmp/confpro-e2e-mail-XXXXXX";
    dir_ = mkdtemp(tmpl);
    port_ = free_port();
    const std::string cmd = "/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null && { /usr/bin/python3 -m aiosmtpd -n -l "
                            "127.0.0.1:" + std::to_string(port_) + " -c aiosmtpd.handlers.Mailbox " + dir_ +
                            "/maildir >" + dir_ + "/log 2>&1 & echo $! >" + dir_ + "/pid; }";
    if (std::system(cmd.c_str()) != 0) port_ = 0;
  }
  ~MailSink() {
    (void)std::system(("test -f " + dir_ + "/pid && kill $(cat " + dir_ + "/pid)").c_str());
    std::filesystem::remove_all(dir_);
  }
  std::uint16_t port() const { return port_; }
  // The accepted messages' texts, once there are `n` (empty after `timeout`).
  std::vector<std::string> wait_messages(std::size_t n, std::chrono::milliseconds timeout) const {
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
      std::vector<std::string> got;
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(dir_ + "/maildir/new", ec)) {
        std::ifstream in(e.path());
        got.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      if (got.size() >= n) return got;
      if (SteadyClock::now() > deadline) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

 private:
  std::string dir_;
  std::uint16_t port_ = 0;
};

TEST_F(ConferenceTest, CreateByPhoneMakesABookingOwnedByTheCaller) {
  // Issue 15 item 5: the booking made by phone e-mails its creator like one made on the web or by the CLI (the
  // same BookingService and outbox), through a real SMTP server.
  MailSink mail;
  ServerOptions o;
  if (mail.port() != 0)
    o.extra_toml = "[notify.smtp]\nurl = \"smtp://127.0.0.1:" + std::to_string(mail.port()) +
                   "\"\nstarttls = false\nfrom = \"noreply@conf.example\"\n";
  make_server(o);
  ASSERT_FALSE(HasFatalFailure());
  server->sql("UPDATE users SET email = 'alice@example.com' WHERE username = 'alice'");
  ASSERT_TRUE(server->start());
  auto p = call("creator", kAccessNumber);
  ASSERT_TRUE(p);
  // 1 = create; account 4242#, PIN 1357#, 30 minutes#, 5 participants#.
  p->press("1");
  ASSERT_TRUE(p->wait_digits_sent());
  ASSERT_TRUE(wait_prompt_then_silence(*p, p->mark())) << "no account prompt";
  p->press("4242#1357#30#5#");
  ASSERT_TRUE(p->wait_digits_sent());
  const std::size_t created_at = p->mark();
  ASSERT_TRUE(wait_log("created by phone by alice", 10s)) << "no booking created by phone";
  // The read-back: number, PINs (issue 12 item 2), date, participants, "press 1 to repeat".
  ASSERT_TRUE(wait_prompt(*p, {"press-1-to-repeat"}, domain::Language::kEnglish, created_at, 60s))
      << "the read-back did not end with press 1 to repeat";

  auto list = server->cli_json({"booking", "list", "--owner", "alice"});
  ASSERT_FALSE(list.is_null());
  const nlohmann::json items = list.is_array() ? list : list.value("items", nlohmann::json::array());
  ASSERT_EQ(items.size(), 1u) << list.dump();
  const auto& b = items[0];
  EXPECT_EQ(b.value("owner", ""), "alice");
  EXPECT_EQ(b.value("created_via", ""), "phone");
  EXPECT_EQ(b.value("duration_minutes", 0), 30);
  EXPECT_EQ(b.value("max_participants", 0), 5);
  EXPECT_EQ(b.value("access_number", ""), kAccessNumber);
  // The creator heard both PINs digit by digit: the user PIN, then the moderator PIN.
  const auto pins = pin_read_back_keys(b.value("user_pin", ""), b.value("moderator_pin", ""));
  EXPECT_EQ(check_keys_in_order(p->heard_all(), pins, domain::Language::kEnglish, created_at), "")
      << "the creator did not hear the PINs";
  EXPECT_TRUE(p->hang_up());
  // The creator's mail: in the outbox as for any booking (both PINs in its text), and accepted by the SMTP
  // server — the message whose Message-ID names that row (its parts are base64).
  const std::string booking_id = std::to_string(b.value("id", 0LL));
  const auto rows = server->sql("SELECT id FROM outbox WHERE kind = 'email' AND recipient = 'alice@example.com' "
                                "AND booking_id = " + booking_id + " AND body LIKE '%" + b.value("user_pin", "?") +
                                "%' AND body LIKE '%" + b.value("moderator_pin", "?") + "%'");
  ASSERT_EQ(rows.size(), 1u) << "no outbox row for the creator with both PINs";
  if (mail.port() != 0) {
    const auto mails = mail.wait_messages(1, std::chrono::seconds(15));
    ASSERT_EQ(mails.size(), 1u) << "the creator's mail did not reach the SMTP server\n" << server->log();
    EXPECT_NE(mails[0].find("To: alice@example.com"), std::string::npos) << mails[0];
    EXPECT_NE(mails[0].find("Message-ID: <outbox-" + rows[0] + "." + booking_id + "@"), std::string::npos)
        << mails[0];
    EXPECT_NE(mails[0].find("text/calendar"), std::string::npos) << "no calendar invitation";
  }

  // The new conference works: two callers join it with its PINs and hear each other.
  Conf c;
  c.id = b.value("id", 0LL);
  c.number = b.value("number", "");
  c.user_pin = b.value("user_pin", "");
  c.moderator_pin = b.value("moderator_pin", "");
  auto u = join_via_menu("U", c, c.user_pin, kToneA);
  ASSERT_TRUE(u);
  auto m = join_via_menu("M", c, c.moderator_pin, kToneB);
  ASSERT_TRUE(m);
  EXPECT_TRUE(wait_tone(*u, kToneB)) << "the conference created by phone does not carry audio";
  EXPECT_TRUE(wait_tone(*m, kToneA));
}

// Issue 14 item 2 (B7): a caller whose booking category may not book hears why right after the PIN, then the
// server hangs up; nothing is booked.
TEST_F(ConferenceTest, CreateByPhoneRefusedByTheBookingPolicyIsSaidThenHungUp) {
  ServerOptions options;
  options.settings["booking.category"] = R"([{name = "visitors", everyone = true, mode = "refused"}])";
  start_server(options);
  ASSERT_FALSE(HasFatalFailure());
  auto p = call("creator", kAccessNumber);
  ASSERT_TRUE(p);
  p->press("1");
  ASSERT_TRUE(p->wait_digits_sent());
  ASSERT_TRUE(wait_prompt_then_silence(*p, p->mark())) << "no account prompt";
  const std::size_t pin_at = p->mark();
  p->press("4242#1357#");
  ASSERT_TRUE(p->wait_digits_sent());
  ASSERT_TRUE(wait_log("creation by phone by alice refused: booking_refused", 10s))
      << "not refused by the policy";
  EXPECT_TRUE(wait_prompt(*p, {"not-allowed-to-create"}, domain::Language::kEnglish, pin_at, 30s))
      << "the refusal was not said";
  EXPECT_TRUE(p->wait_ended(20s)) << "the refused creator was not hung up";
  EXPECT_TRUE(p->bye_received()) << "the call ended, but not by the server's BYE";
  auto list = server->cli_json({"booking", "list", "--owner", "alice"});
  ASSERT_FALSE(list.is_null());
  EXPECT_EQ(list.value("total", -1), 0) << list.dump();
}

// Issue 13 item 3: booking expiry has one owner, the housekeeping thread (BookingService::expire_due every 5 s,
// off the control loop). With nobody connected, an active booking whose time ran out (as a crash or an unended
// room leaves it) is ended as duration-elapsed, and a booking never used whose window lapsed as expired-unused,
// both within seconds; a booking still valid is left alone.
TEST_F(ConferenceTest, BookingsWhoseTimeRanOutWithNobodyConnectedAreEndedWithinSeconds) {
  const Conf abandoned = start_with_booking("abandoned");
  ASSERT_FALSE(HasFatalFailure());
  const Conf unused = book("never-used");
  const Conf valid = book("still-valid");
  ASSERT_TRUE(unused.id != 0 && valid.id != 0) << "no booking";
  const long long now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const long long hour = 3'600'000, day = 24 * hour;
  // Opened two hours ago for 60 minutes, no open session.
  server->sql("UPDATE bookings SET state = 'active', valid_from = " + std::to_string(now - 3 * hour) +
              ", valid_until = " + std::to_string(now - 3 * hour + day) + ", opened_at = " +
              std::to_string(now - 2 * hour) + " WHERE id = " + id_of(abandoned));
  // Valid for one day, two days ago; never used.
  server->sql("UPDATE bookings SET valid_from = " + std::to_string(now - 2 * day) + ", valid_until = " +
              std::to_string(now - day) + " WHERE id = " + id_of(unused));
  const auto changed = SteadyClock::now();
  const std::string query = "SELECT state, end_reason FROM bookings WHERE id IN (" + id_of(abandoned) + ", " +
                            id_of(unused) + ", " + id_of(valid) + ") ORDER BY id";
  const std::vector<std::string> expected{"ended|duration-elapsed", "ended|expired-unused", "scheduled|"};
  EXPECT_EQ(server->sql_until(query, expected, 8s), expected);
  report_ms("time ran out to the booking ended (housekeeping every 5 s)", ms_between(changed, SteadyClock::now()));
  EXPECT_TRUE(server->log_contains("booking(s) expired or ended")) << server->log();
}

}  // namespace
}  // namespace confpro::conftest
