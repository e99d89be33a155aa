// A conference's life by phone (FEATURES.md B3, B4, B6, I3; issue 5 "Tests"): warning and cut-off at the end
// (clock run fast with server.time_scale), a restart with an active conference, creation by phone.
#include <thread>

#include "e2e.h"
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

TEST_F(ConferenceTest, RestartClosesTheInterruptedSessionAndCallersCanJoinAgain) {
  const Conf c = start_with_booking("restart");
  ASSERT_FALSE(HasFatalFailure());
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
    EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + id_of(c) +
                          " AND left_at IS NULL",
              std::vector<std::string>{"2"})
        << "before the restart, the killed server's connections are still open";
  }  // the phones go (their BYE goes nowhere)

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

TEST_F(ConferenceTest, CreateByPhoneMakesABookingOwnedByTheCaller) {
  start_server();
  ASSERT_FALSE(HasFatalFailure());
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
  std::vector<std::string> pins{"participant-pin-is"};
  for (char d : b.value("user_pin", "")) pins.push_back(std::string("digits/") + d);
  pins.push_back("moderator-pin-is");
  for (char d : b.value("moderator_pin", "")) pins.push_back(std::string("digits/") + d);
  EXPECT_EQ(check_keys_in_order(p->heard_all(), pins, domain::Language::kEnglish, created_at), "")
      << "the creator did not hear the PINs";
  EXPECT_TRUE(p->hang_up());

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

}  // namespace
}  // namespace confpro::conftest
