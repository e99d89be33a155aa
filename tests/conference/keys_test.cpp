// Moderator in-call keys and IVR silence (FEATURES.md I2, I4; issue 5 "Tests"): *3 lock/unlock, *9 end the
// conference for everyone, a caller who says nothing is re-prompted and then hung up.
#include <filesystem>
#include <thread>

#include "e2e.h"

namespace confpro::conftest {
namespace {


TEST_F(ConferenceTest, ModeratorStarThreeLocksOutNewCallersAndUnlocks) {
  const Conf c = start_with_booking("lock");
  ASSERT_FALSE(HasFatalFailure());
  auto m = join_via_menu("M", c, c.moderator_pin, kToneB);
  ASSERT_TRUE(m);
  auto u = join_via_menu("U", c, c.user_pin, kToneA);
  ASSERT_TRUE(u);
  ASSERT_TRUE(wait_tone(*u, kToneB)) << "U does not hear M";

  m->press("*3");
  ASSERT_TRUE(m->wait_digits_sent());
  std::this_thread::sleep_for(500ms);
  auto x = join_via_menu("X-locked-out", c, c.user_pin);
  ASSERT_TRUE(x);
  ASSERT_TRUE(x->wait_ended(20s)) << "a caller joined a locked conference";
  EXPECT_TRUE(x->bye_received());
  EXPECT_TRUE(never_dominant(x->heard_all(), kToneA));
  EXPECT_TRUE(never_dominant(x->heard_all(), kToneB));

  m->press("*3");
  ASSERT_TRUE(m->wait_digits_sent());
  std::this_thread::sleep_for(500ms);
  auto y = join_via_menu("Y-after-unlock", c, c.user_pin);
  ASSERT_TRUE(y);
  EXPECT_TRUE(wait_tone(*y, kToneA, 10s, 0.4) && wait_tone(*y, kToneB, 10s, 0.4))
      << "after *3 again, a new caller cannot join";
  EXPECT_FALSE(y->ended());
}

TEST_F(ConferenceTest, ModeratorStarFourMutesAndUnmutesAllUsers) {
  const Conf c = start_with_booking("mute-all");
  ASSERT_FALSE(HasFatalFailure());
  auto m = join_via_menu("M", c, c.moderator_pin, kToneC);
  ASSERT_TRUE(m);
  auto u1 = join_via_menu("U1", c, c.user_pin, kToneA);
  ASSERT_TRUE(u1);
  auto u2 = join_via_menu("U2", c, c.user_pin, kToneB);
  ASSERT_TRUE(u2);
  ASSERT_TRUE(wait_tone(*u1, kToneB, 10s, 0.4)) << "U1 does not hear U2";

  m->press("*4");
  ASSERT_TRUE(m->wait_digits_sent());
  auto quiet = u1->wait_heard(u1->mark(), [](auto w) { return tone_absent(w, kToneB); }, 3s);
  ASSERT_TRUE(quiet) << "U1 still hears U2 after the moderator's *4";
  std::this_thread::sleep_for(300ms);
  const auto h1 = u1->listen(1000ms), hm = m->listen(1000ms);
  EXPECT_TRUE(tone_absent(h1, kToneB)) << "U2 not muted by *4";
  EXPECT_TRUE(tone_absent(hm, kToneA)) << "U1 not muted by *4";
  EXPECT_TRUE(hears_tone(h1, kToneC, 0.3)) << "the moderator must stay heard after *4";

  m->press("*4");
  ASSERT_TRUE(m->wait_digits_sent());
  EXPECT_TRUE(wait_tone(*u1, kToneB, 5s, 0.4)) << "the second *4 did not unmute the users";
}

TEST_F(ConferenceTest, ModeratorStarNineEndsTheConferenceForEveryone) {
  const Conf c = start_with_booking("star-nine");
  ASSERT_FALSE(HasFatalFailure());
  auto u = join_via_menu("U", c, c.user_pin, kToneA);
  ASSERT_TRUE(u);
  auto m = join_via_menu("M", c, c.moderator_pin, kToneB);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_tone(*u, kToneB)) << "U does not hear M";

  // A user's *9 does nothing.
  u->press("*9");
  ASSERT_TRUE(u->wait_digits_sent());
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(u->ended());
  EXPECT_EQ(booking_state(c), "active");

  m->press("*9");
  ASSERT_TRUE(m->wait_digits_sent());
  EXPECT_TRUE(u->wait_ended(20s)) << "the user was not cut off by the moderator's *9";
  EXPECT_TRUE(m->wait_ended(5s)) << "the moderator was not cut off by its *9";
  EXPECT_TRUE(u->bye_received());
  EXPECT_TRUE(m->bye_received());
  auto j = server->cli_json({"booking", "show", c.number});
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.value("state", ""), "ended");
  EXPECT_EQ(j.value("end_reason", ""), "ended-by-moderator");
  EXPECT_SQL_EQ(*server, "SELECT close_reason FROM conference_sessions WHERE booking_id = " + std::to_string(c.id),
            std::vector<std::string>{"ended-by-moderator"});
}

TEST_F(ConferenceTest, SilentCallerIsRepromptedThenHungUp) {
  ServerOptions o;
  o.settings["ivr.first_digit_timeout_ms"] = "1000";
  start_server(o);
  ASSERT_FALSE(HasFatalFailure());
  auto p = call("silent", kAccessNumber);
  ASSERT_TRUE(p);
  const auto t0 = SteadyClock::now();
  // Menu prompt, 1 s of silence, the menu again (twice), then "no input, goodbye" and the server's BYE.
  ASSERT_TRUE(p->wait_ended(60s)) << "a silent caller is never hung up";
  EXPECT_TRUE(p->bye_received());
  report_ms("silent caller hung up after", ms_between(t0, SteadyClock::now()));
  // It heard the menu more than once: at least three stretches of sound separated by a second of silence.
  const auto h = p->heard_all();
  int stretches = 0;
  bool in_sound = false;
  std::size_t quiet = 0;
  for (std::size_t at = 0; at + 160 <= h.size(); at += 160) {
    const bool silent = is_silent(std::span<const std::int16_t>(h.data() + at, 160));
    if (!silent) {
      if (!in_sound) ++stretches;
      in_sound = true;
      quiet = 0;
    } else if (++quiet >= 40) {  // 800 ms of silence ends a stretch
      in_sound = false;
    }
  }
  EXPECT_GE(stretches, 3) << "the silent caller was not re-prompted";
}

TEST_F(ConferenceTest, AnnouncedUserIsAnnouncedOnJoiningAndLeaving) {
  const Conf c = start_with_booking("announce", {"--announce-users"});
  ASSERT_FALSE(HasFatalFailure());
  // The moderator is not announced; alone and sending a tone, it hears silence (mix-minus) once its prompt ends.
  auto m = join_via_menu("M", c, c.moderator_pin, kToneA);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_log("joined as moderator"));
  ASSERT_TRUE(m->wait_quiet(m->mark(), 1000ms, 15s)) << "the lone moderator never hears silence";

  auto u = join_via_menu("U-announced", c, c.user_pin);
  ASSERT_TRUE(u);
  const auto digits_done = SteadyClock::now();
  const std::size_t before = m->mark();
  ASSERT_TRUE(wait_log("joined as user", 15s)) << "the announced user never joined";
  // Saying the name takes up to 3 s after the prompt and the beep.
  report_ms("final # to joined with announce (name prompt + 3 s recording)", ms_between(digits_done, SteadyClock::now()));
  EXPECT_GE(ms_between(digits_done, SteadyClock::now()), 2500) << "no name was recorded";
  auto joined_msg = m->wait_heard(before, [](auto w) { return !is_silent(w) && tone_absent(w, kToneA); }, 5s);
  EXPECT_TRUE(joined_msg) << "the moderator heard no \"<name> has joined\"";
  EXPECT_TRUE(wait_tone(*u, kToneA, 10s)) << "the announced user does not hear the moderator";

  ASSERT_TRUE(m->wait_quiet(m->mark(), 700ms, 15s));
  const std::size_t before_leave = m->mark();
  EXPECT_TRUE(u->hang_up());
  auto left_msg = m->wait_heard(before_leave, [](auto w) { return !is_silent(w); }, 5s);
  EXPECT_TRUE(left_msg) << "the moderator heard no \"<name> has left\"";
}

// Issue 12 item 1: with the default relative paths (data_dir "var", its database, names and recordings) under
// the configured base folder and `confpro serve` started from "/", a user records its name and the moderator
// hears
// "<name> has joined" (before: "name recording failed: no directory var/recordings/var/names").
TEST_F(ConferenceTest, AnnouncedNameIsHeardWithTheDefaultRelativePaths) {
  ServerOptions o;
  o.default_paths = true;
  const Conf c = start_with_booking(o, "announce-default-paths", {"--announce-users"});
  ASSERT_FALSE(HasFatalFailure());
  auto m = join_via_menu("M", c, c.moderator_pin);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_log("joined as moderator"));
  ASSERT_TRUE(m->wait_quiet(m->mark(), 1000ms, 15s)) << "the moderator's entry prompt never ended";
  const std::size_t before = m->mark();
  auto u = join_via_menu("U-named", c, c.user_pin);
  ASSERT_TRUE(u);
  ASSERT_TRUE(wait_log("joined as user", 20s)) << "the announced user never joined";
  EXPECT_TRUE(wait_prompt(*m, {"has-joined"}, domain::Language::kEnglish, before, 15s))
      << "the moderator did not hear the user's name announced";
  EXPECT_FALSE(server->log_contains("name recording failed")) << server->log();
  std::error_code ec;
  EXPECT_FALSE(std::filesystem::is_empty(server->dir() + "/var/names", ec))
      << "no name under <base>/var/names";
  EXPECT_TRUE(std::filesystem::exists(server->dir() + "/var/confpro.db"))
      << "the database is not under <base>/var";
}

}  // namespace
}  // namespace confpro::conftest
