// In-call keys that answer with a prompt or change the room (FEATURES.md I4, M3; issue 5 "Tests"): *2 says how
// many others are here, *0 gives the help of the caller's role — heard by the caller only, recognized by ear
// against the prompts the server uses — and *5 starts/stops a recording of the room for a moderator only.
#include <filesystem>
#include <thread>

#include "e2e.h"
#include "ivr/say.h"
#include "media/audio_file.h"
#include "media/tone.h"

namespace confpro::conftest {
namespace {

using domain::Language;
constexpr auto kEn = Language::kEnglish;

// Exact audio for the prompt checks: no silence suppression (the heard timeline matches the prompt files).
ServerOptions exact_audio() {
  ServerOptions o;
  o.settings["media.suppress_silence"] = "false";
  return o;
}

std::vector<std::string> count_keys(int others) {
  std::vector<std::string> keys{"there-are"};
  auto n = ivr::number_keys(others, kEn);
  if (n) keys.insert(keys.end(), n->begin(), n->end());
  keys.push_back("other-participants");
  return keys;
}

TEST_F(ConferenceTest, StarTwoAndStarZeroAreHeardByTheCallerOnly) {
  const Conf c = start_with_booking(exact_audio(), "count-help");
  ASSERT_FALSE(HasFatalFailure());
  auto [a, b] = join_quiet_pair(c, "A-user", "B-moderator");
  ASSERT_TRUE(a && b);

  // Two in the room: A hears "one other participant"; B hears nothing of it.
  std::size_t am = a->mark(), bm = b->mark();
  a->press("*2");
  ASSERT_TRUE(a->wait_digits_sent());
  auto one = wait_prompt(*a, {"one-other-participant"}, kEn, am);
  EXPECT_TRUE(one) << "A did not hear \"one other participant\" after *2";
  EXPECT_LT(prompt_score(*a, count_keys(2), kEn, am), kHeardScore) << "A heard the count for three";
  EXPECT_LT(prompt_score(*b, {"one-other-participant"}, kEn, bm), kHeardScore) << "B heard A's *2 answer";

  // A third caller: A's *2 now says "there are 2 other participants".
  auto third = join_via_menu("C-user", c, c.user_pin);
  ASSERT_TRUE(third);
  ASSERT_TRUE(wait_log("joined as user", 10s, 2));
  ASSERT_TRUE(a->wait_quiet(a->mark(), 700ms, 10s));
  am = a->mark();
  bm = b->mark();
  const std::size_t cm = third->mark();
  a->press("*2");
  ASSERT_TRUE(a->wait_digits_sent());
  auto two = wait_prompt(*a, count_keys(2), kEn, am);
  EXPECT_TRUE(two) << "A did not hear \"there are 2 other participants\" after *2";
  EXPECT_LT(prompt_score(*a, {"one-other-participant"}, kEn, am), kHeardScore) << "A still heard the count for two";
  EXPECT_LT(prompt_score(*b, count_keys(2), kEn, bm), kHeardScore) << "B heard A's *2 answer";
  EXPECT_LT(prompt_score(*third, count_keys(2), kEn, cm), kHeardScore) << "C heard A's *2 answer";

  // *0: each hears the help of its own role.
  ASSERT_TRUE(a->wait_quiet(a->mark(), 700ms, 15s));
  am = a->mark();
  bm = b->mark();
  a->press("*0");
  ASSERT_TRUE(a->wait_digits_sent());
  EXPECT_TRUE(wait_prompt(*a, {"help-user"}, kEn, am)) << "the user did not hear the user help after *0";
  EXPECT_LT(prompt_score(*b, {"help-user"}, kEn, bm), kHeardScore) << "B heard A's help";
  bm = b->mark();
  am = a->mark();
  b->press("*0");
  ASSERT_TRUE(b->wait_digits_sent());
  EXPECT_TRUE(wait_prompt(*b, {"help-moderator"}, kEn, bm)) << "the moderator did not hear the moderator help";
  EXPECT_LT(prompt_score(*a, {"help-moderator"}, kEn, am), kHeardScore) << "A heard B's help";
}

std::vector<std::filesystem::path> recordings(const Server& s) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(s.dir() + "/var/recordings", ec))
    if (e.path().extension() == ".wav") out.push_back(e.path());
  return out;
}

TEST_F(ConferenceTest, ModeratorStarFiveRecordsTheRoomAndAUserCannot) {
  const Conf c = start_with_booking(exact_audio(), "record");
  ASSERT_FALSE(HasFatalFailure());
  auto [u, m] = join_quiet_pair(c, "U-talker", "M");  // U is silent but while it talks (clean prompts)
  ASSERT_TRUE(u && m);

  // A user's *5 is refused and records nothing.
  std::size_t um = u->mark();
  u->press("*5");
  ASSERT_TRUE(u->wait_digits_sent());
  EXPECT_TRUE(wait_prompt(*u, {"invalid-choice"}, kEn, um)) << "the user's *5 was not refused";
  EXPECT_TRUE(recordings(*server).empty()) << "a user's *5 started a recording";

  // The moderator's *5 starts it, the second *5 stops it; U's tone is in the file.
  std::size_t mm = m->mark();
  m->press("*5");
  ASSERT_TRUE(m->wait_digits_sent());
  EXPECT_TRUE(wait_prompt(*m, {"recording-started"}, kEn, mm)) << "no \"recording started\" for the moderator";
  ASSERT_TRUE(m->wait_quiet(m->mark(), 500ms, 20s));
  u->say(media::make_tone(kToneA, 8000, Softphone::kRate, 3.0));
  EXPECT_TRUE(wait_tone(*m, kToneA, 20s, 0.6)) << "M does not hear U talk";
  ASSERT_TRUE(m->wait_quiet(m->mark(), 500ms, 20s)) << "U never stops talking";  // the next prompt stays clean
  mm = m->mark();
  m->press("*5");
  ASSERT_TRUE(m->wait_digits_sent());
  EXPECT_TRUE(wait_prompt(*m, {"recording-stopped"}, kEn, mm)) << "no \"recording stopped\" for the moderator";
  ASSERT_TRUE(wait_log("recording stopped")) << "no end of recording in the log";
  // The media thread finishes the file a moment after the log line: polled until it is there and readable.
  auto files = recordings(*server);
  auto read = [&] { return media::read_audio_file(files.empty() ? std::string() : files[0].string(), Softphone::kRate); };
  auto pcm = read();
  for (const auto deadline = SteadyClock::now() + 20s;
       (files.size() != 1 || !pcm || pcm->duration_seconds() <= 2.0) && SteadyClock::now() < deadline;) {
    std::this_thread::sleep_for(200ms);
    files = recordings(*server);
    pcm = read();
  }
  ASSERT_EQ(files.size(), 1u) << "expected one recording file";
  ASSERT_TRUE(pcm) << "unreadable recording: " << pcm.error().message;
  report_ms("recording length", pcm->duration_seconds() * 1000);
  EXPECT_GT(pcm->duration_seconds(), 2.0) << "the recording is shorter than the time between the two *5";
  int with_tone = 0;
  for (std::size_t at = 0; at + Softphone::kRate / 2 <= pcm->samples.size(); at += Softphone::kRate / 2)
    if (hears_tone(std::span<const std::int16_t>(pcm->samples.data() + at, Softphone::kRate / 2), kToneA, 0.5))
      ++with_tone;
  EXPECT_GE(with_tone, 3) << "U's 440 Hz is not in the recording (half-seconds with it: " << with_tone << ")";
  EXPECT_SQL_EQ(*server, "SELECT recording_path FROM conference_sessions WHERE booking_id = " + std::to_string(c.id),
            std::vector<std::string>{files[0].string()})
      << "the session does not name its recording";
}

}  // namespace
}  // namespace confpro::conftest
