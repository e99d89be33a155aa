// Joining a conference by phone (FEATURES.md I1, I2; issue 5 "Tests"): through the access number's main menu and
// by dialling the conference number; refusals for wrong PINs and unknown numbers. Asserts on what callers hear.
#include <algorithm>
#include <thread>

#include "e2e.h"

namespace confpro::conftest {
namespace {

// Where PIN guessers call from in these tests: not the participants' 127.0.0.1 (lockouts are per source).
const std::string kGuesserAddress = "127.0.0.66";

// PIN lockouts at 5 wrong PINs per source and 3 per conference.
ServerOptions conference_lockout_settings() {
  ServerOptions o;
  o.settings["ivr.pin_lockout_failures"] = "5";
  o.settings["ivr.pin_lockout_conference_failures"] = "3";
  return o;
}

// The open connections of a conference: `what` is "role" (their roles, in order) or "count(*)". Checked with
// EXPECT_SQL_EQ, which polls: the server's writer thread records them a few ms after the join or leave.
std::string open_connections(const Conf& c, const std::string& what) {
  return "SELECT " + what + " FROM participant_connections WHERE booking_id = " + std::to_string(c.id) +
         " AND left_at IS NULL" + (what == "role" ? " ORDER BY role" : "");
}

TEST_F(ConferenceTest, UserAndModeratorJoinByAccessNumberHearEachOtherButNotThemselves) {
  const Conf c = start_with_booking("join-basic");
  ASSERT_FALSE(HasFatalFailure());

  auto a = join_via_menu("A-user", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  ASSERT_TRUE(wait_log("joined as user")) << "A (user PIN) never joined";
  auto b = join_via_menu("B-moderator", c, c.moderator_pin, kToneB);
  ASSERT_TRUE(b);
  const std::size_t b_mark = b->mark();
  ASSERT_TRUE(wait_log("joined as moderator")) << "B (moderator PIN) never joined";

  // B's time from its final '#' to hearing A.
  auto b_hears_a = b->wait_heard(b_mark, [](auto w) { return hears_tone(w, kToneA, 0.3); }, 5s, 40ms);
  ASSERT_TRUE(b_hears_a) << "B never heard A's 440 Hz";
  if (auto hash = b->last_digit_at()) report_ms("final # to hearing the other participant", ms_between(*hash, b_hears_a->at));

  ASSERT_TRUE(wait_tone(*a, kToneB)) << "A never heard B's 1 kHz (with prompts over)";
  ASSERT_TRUE(wait_tone(*b, kToneA)) << "B never heard A's 440 Hz (with prompts over)";
  const std::size_t am = a->mark(), bm = b->mark();
  std::this_thread::sleep_for(1500ms);
  const auto ha = a->heard_since(am), hb = b->heard_since(bm);
  EXPECT_TRUE(hears_tone(ha, kToneB, 0.8)) << "A: 1 kHz share " << power_at(ha, kToneB) / (rms(ha) * rms(ha));
  EXPECT_TRUE(tone_absent(ha, kToneA)) << "A hears its own 440 Hz: power " << power_at(ha, kToneA);
  EXPECT_TRUE(hears_tone(hb, kToneA, 0.8)) << "B: 440 Hz share " << power_at(hb, kToneA) / (rms(hb) * rms(hb));
  EXPECT_TRUE(tone_absent(hb, kToneB)) << "B hears its own 1 kHz: power " << power_at(hb, kToneB);

  // The server recorded both connections, with their roles, and the conference is open.
  EXPECT_SQL_EQ(*server, open_connections(c, "role"), std::vector<std::string>{"moderator", "user"});
  EXPECT_EQ(booking_state(c), "active");

  // A third, silent participant hears both.
  auto third = join_via_menu("C-silent", c, c.user_pin);
  ASSERT_TRUE(third);
  auto both = third->wait_heard(third->mark(),
                                [](auto w) { return hears_tone(w, kToneA, 0.4) && hears_tone(w, kToneB, 0.4); }, 10s,
                                500ms);
  ASSERT_TRUE(both) << "C never heard A and B together (prompts over)";
  const auto hc = third->listen(1000ms);
  EXPECT_TRUE(hears_tone(hc, kToneA, 0.4)) << "C: 440 Hz share " << power_at(hc, kToneA) / (rms(hc) * rms(hc));
  EXPECT_TRUE(hears_tone(hc, kToneB, 0.4)) << "C: 1 kHz share " << power_at(hc, kToneB) / (rms(hc) * rms(hc));
  EXPECT_SQL_EQ(*server, open_connections(c, "count(*)"), std::vector<std::string>{"3"});

  // Hanging up ends every connection.
  EXPECT_TRUE(third->hang_up());
  EXPECT_TRUE(b->hang_up());
  EXPECT_TRUE(a->hang_up());
  ASSERT_TRUE(wait_log("left: hangup"));
  EXPECT_SQL_EQ(*server, open_connections(c, "count(*)"), std::vector<std::string>{"0"});
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + std::to_string(c.id) +
                        " AND leave_reason = 'hangup'",
            std::vector<std::string>{"3"});
}

TEST_F(ConferenceTest, FirstPromptIsHeardSoonAfterTheAnswer) {
  start_server();
  ASSERT_FALSE(HasFatalFailure());
  std::vector<double> took;
  for (int i = 0; i < 3; ++i) {
    auto p = call("menu-" + std::to_string(i), kAccessNumber);
    ASSERT_TRUE(p);
    auto sound = p->wait_heard(0, [](auto w) { return !is_silent(w); }, 3s, 20ms);
    ASSERT_TRUE(sound) << "no prompt heard within 3 s of the answer";
    took.push_back(ms_between(*p->answered_at(), sound->at));
    report_ms("200 OK to first prompt audio (access number)", took.back());
    EXPECT_TRUE(p->hang_up());
  }
  std::sort(took.begin(), took.end());
  EXPECT_LT(took[1], 300.0) << "median time to the first prompt (target < 300 ms)";
  // The French access number greets in French (recorded or generated prompts exist for it too).
  auto fr = call("menu-fr", "3000");
  ASSERT_TRUE(fr);
  EXPECT_TRUE(fr->wait_heard(0, [](auto w) { return !is_silent(w); }, 3s, 20ms)) << "no French prompt";
}

TEST_F(ConferenceTest, DialingTheConferenceNumberGoesStraightToThePinPrompt) {
  const Conf c = start_with_booking("direct");
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A-user", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  ASSERT_TRUE(wait_log("joined as user"));

  auto d = call("D-direct", c.number, kToneB);
  ASSERT_TRUE(d);
  auto prompt = d->wait_heard(0, [](auto w) { return !is_silent(w); }, 3s, 20ms);
  ASSERT_TRUE(prompt) << "the direct caller hears no prompt";
  report_ms("200 OK to first prompt audio (conference number)", ms_between(*d->answered_at(), prompt->at));
  // The PIN alone (no menu choice, no conference number) lets the caller in.
  d->press(c.user_pin + "#");
  ASSERT_TRUE(d->wait_digits_sent());
  const std::size_t mark = d->mark();
  auto in = d->wait_heard(mark, [](auto w) { return hears_tone(w, kToneA, 0.3); }, 5s, 40ms);
  ASSERT_TRUE(in) << "the direct caller never heard the room";
  report_ms("final # to hearing the other participant (direct)", ms_between(*d->last_digit_at(), in->at));
  EXPECT_TRUE(wait_tone(*a, kToneB)) << "the room never heard the direct caller";
  EXPECT_SQL_EQ(*server, open_connections(c, "count(*)"), std::vector<std::string>{"2"});
}

TEST_F(ConferenceTest, WrongPinThreeTimesIsHungUpWithoutHearingTheRoom) {
  const Conf c = start_with_booking("wrong-pin");
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A-user", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  ASSERT_TRUE(wait_log("joined as user"));

  auto x = call("X-intruder", kAccessNumber);
  ASSERT_TRUE(x);
  x->press("2" + c.number + "#");
  ASSERT_TRUE(x->wait_digits_sent());
  ASSERT_TRUE(wait_prompt_then_silence(*x, x->mark())) << "no PIN prompt after the conference number";
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const std::size_t mark = x->mark();
    x->press("999999#");
    ASSERT_TRUE(x->wait_digits_sent());
    if (attempt < 3) {
      ASSERT_TRUE(wait_prompt_then_silence(*x, mark)) << "no re-prompt after wrong PIN " << attempt;
    }
  }
  ASSERT_TRUE(x->wait_ended(20s)) << "the server did not hang up after 3 wrong PINs";
  EXPECT_TRUE(x->bye_received()) << "the call ended, but not by the server's BYE";
  EXPECT_TRUE(never_dominant(x->heard_all(), kToneA)) << "the caller with wrong PINs heard the room";
  EXPECT_SQL_EQ(*server, open_connections(c, "count(*)"), std::vector<std::string>{"1"});
  const std::string log = server->log();
  std::size_t wrong = 0;
  for (auto at = log.find("wrong PIN"); at != std::string::npos; at = log.find("wrong PIN", at + 1)) ++wrong;
  EXPECT_EQ(wrong, 3u);
}

TEST_F(ConferenceTest, RepeatedWrongPinsLockTheCallerOut) {
  ServerOptions o;
  o.settings["ivr.pin_lockout_failures"] = "3";
  const Conf c = start_with_booking(o, "lockout");
  ASSERT_FALSE(HasFatalFailure());
  const std::string caller = "0611223344";
  guess_wrong_pins(c, caller);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(wait_log("PIN lockout")) << "three failures with pin_lockout_failures = 3 locked nobody out";
  // The same caller, now with the right PIN, is refused.
  Softphone again("X-again", kToneB, caller);
  again.dial(c.number, server->sip_port());
  ASSERT_TRUE(again.wait_answered());
  again.press(c.user_pin + "#");
  ASSERT_TRUE(again.wait_digits_sent());
  EXPECT_TRUE(again.wait_ended(20s)) << "a locked-out caller got in with the right PIN";
  EXPECT_TRUE(wait_log("PIN refused: locked out"));
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + std::to_string(c.id),
            std::vector<std::string>{"0"});
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM audit_log WHERE action = 'pin.lockout'", std::vector<std::string>{"1"})
      << "the lockout is not visible in the audit log";
}

// Issue 11 item 4: the caller number is whatever From says. A guesser forging a real participant's number is
// locked out — its source, not the number: the participant, calling from its own address, still gets in.
TEST_F(ConferenceTest, ForgingAParticipantsNumberLocksOutTheForgerNotTheParticipant) {
  ServerOptions o;
  o.settings["ivr.pin_lockout_failures"] = "3";
  o.settings["ivr.pin_lockout_conference_failures"] = "0";
  const Conf c = start_with_booking(o, "forged-number");
  ASSERT_FALSE(HasFatalFailure());
  const std::string participant = "0612345678";
  guess_wrong_pins(c, participant, kGuesserAddress);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(wait_log("PIN lockout")) << "three wrong PINs with pin_lockout_failures = 3 locked nobody out";
  EXPECT_TRUE(server->log_contains("PIN lockout of source:" + kGuesserAddress)) << "not the forger's source";
  // The forger, even with the right PIN now, stays out ...
  auto forger = dial_with_pin("X-forger-again", c, c.user_pin, participant, kToneB, kGuesserAddress);
  ASSERT_TRUE(forger);
  EXPECT_TRUE(forger->wait_ended(20s)) << "a locked-out source got in with the right PIN";
  EXPECT_TRUE(wait_log("PIN refused: locked out"));
  // ... while the participant whose number it forged, from its own address, gets in and hears no one missing.
  auto real = dial_with_pin("P-real", c, c.user_pin, participant, kToneA);
  ASSERT_TRUE(real);
  EXPECT_TRUE(wait_log("joined as user")) << "forging a participant's number locked the participant out";
  EXPECT_FALSE(real->ended());
  EXPECT_SQL_EQ(*server, "SELECT caller_number FROM participant_connections WHERE booking_id = " +
                             std::to_string(c.id),
                std::vector<std::string>{participant});
}

TEST_F(ConferenceTest, GuessingOnAConferenceClosesItToNewCallersOnly) {
  const Conf c = start_with_booking(conference_lockout_settings(), "conference-lockout");
  ASSERT_FALSE(HasFatalFailure());
  const std::string participant = "0612345678";
  {  // A real participant joined earlier today, and left.
    auto p = dial_with_pin("P-earlier", c, c.user_pin, participant);
    ASSERT_TRUE(p);
    ASSERT_TRUE(wait_log("joined as user"));
    EXPECT_TRUE(p->hang_up());
  }
  // A guesser (from its own address): 3 wrong PINs (under its own threshold of 5), the conference's threshold.
  guess_wrong_pins(c, "0700000001", kGuesserAddress);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(wait_log("PIN lockout of the conference for new callers")) << "3 failures did not trip the lockout";
  EXPECT_FALSE(server->log_contains("PIN lockout of source")) << "a source was locked out below its threshold";

  // A new number, even with the right PIN, is refused for now …
  auto stranger = dial_with_pin("S-new-number", c, c.user_pin, "0799999999");
  ASSERT_TRUE(stranger);
  EXPECT_TRUE(wait_prompt(*stranger, {"too-many-failures"}, domain::Language::kEnglish, 0, 20s))
      << "the new caller was not told why";
  EXPECT_TRUE(stranger->wait_ended(30s)) << "a new caller got into a conference under attack";
  EXPECT_TRUE(wait_log("conference closed to new callers"));
  // … but the participant who was in before gets in and is in the room with a second known participant.
  auto back = dial_with_pin("P-back", c, c.user_pin, participant, kToneA);
  ASSERT_TRUE(back);
  EXPECT_TRUE(wait_log("joined as user", 20s, 2)) << "the attack locked a real participant out";
  EXPECT_FALSE(back->ended());
  EXPECT_SQL_EQ(*server, "SELECT caller_number FROM participant_connections WHERE booking_id = " +
                        std::to_string(c.id) + " ORDER BY id",
            (std::vector<std::string>{participant, participant}));
  EXPECT_SQL_EQ(*server, "SELECT target FROM audit_log WHERE action = 'pin.lockout'",
            std::vector<std::string>{"conference:" + c.number});
}

TEST_F(ConferenceTest, NumbersThatEnteredBeforeARestartStillGetIntoAConferenceUnderAttack) {
  const Conf c = start_with_booking(conference_lockout_settings(), "lockout-after-restart");
  ASSERT_FALSE(HasFatalFailure());
  const std::string participant = "0612345678";
  {  // A real participant joined before the restart, and left.
    auto p = dial_with_pin("P-before-restart", c, c.user_pin, participant);
    ASSERT_TRUE(p);
    ASSERT_TRUE(wait_log("joined as user"));
    EXPECT_TRUE(p->hang_up());
  }
  EXPECT_SQL_EQ(*server, "SELECT caller_number FROM participant_connections WHERE booking_id = " + std::to_string(c.id),
                std::vector<std::string>{participant});
  ASSERT_TRUE(server->stop());
  ASSERT_TRUE(server->start());

  // The new run knows nothing in memory; a guesser closes the conference to new callers.
  guess_wrong_pins(c, "0700000001", kGuesserAddress);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(wait_log("PIN lockout of the conference for new callers"));
  // The participant of the earlier run is recognized from the stored connections and gets in.
  auto back = dial_with_pin("P-after-restart", c, c.user_pin, participant, kToneA);
  ASSERT_TRUE(back);
  EXPECT_TRUE(wait_log("joined as user", 20s, 2)) << "the attack locked out a participant of the earlier run";
  EXPECT_FALSE(server->log_contains("conference closed to new callers")) << "the earlier participant was refused";
  EXPECT_TRUE(server->log_contains("1 stored connections in 1 sessions are known numbers"));
  EXPECT_FALSE(back->ended());
}

TEST_F(ConferenceTest, HangingUpDuringTheIvrLeavesNothingBehind) {
  const Conf c = start_with_booking("ivr-hangup");
  ASSERT_FALSE(HasFatalFailure());
  {
    auto x = call("X-gives-up", kAccessNumber);
    ASSERT_TRUE(x);
    x->press("2" + c.number + "#" + c.user_pin.substr(0, 3));
    ASSERT_TRUE(x->wait_digits_sent());
    EXPECT_TRUE(x->hang_up());
  }
  ASSERT_TRUE(wait_log("ended: caller-bye"));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(booking_state(c), "scheduled") << "a caller who never entered a PIN opened the conference";
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections", std::vector<std::string>{"0"});
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM conference_sessions", std::vector<std::string>{"0"});
  // The conference is unaffected: the next callers join and hear each other.
  auto a = join_via_menu("A", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  auto b = join_via_menu("B", c, c.moderator_pin, kToneB);
  ASSERT_TRUE(b);
  EXPECT_TRUE(wait_tone(*a, kToneB));
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE left_at IS NULL",
            std::vector<std::string>{"2"});
}

TEST_F(ConferenceTest, UnknownConferenceNumberIsHungUp) {
  const Conf c = start_with_booking("known");
  ASSERT_FALSE(HasFatalFailure());
  // Through the menu: three unknown numbers, then goodbye and BYE.
  auto x = call("X-unknown", kAccessNumber);
  ASSERT_TRUE(x);
  x->press("2");
  ASSERT_TRUE(x->wait_digits_sent());
  ASSERT_TRUE(wait_prompt_then_silence(*x, x->mark())) << "no conference number prompt";
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const std::size_t mark = x->mark();
    x->press("98765401#");
    ASSERT_TRUE(x->wait_digits_sent());
    if (attempt < 3) {
      ASSERT_TRUE(wait_prompt_then_silence(*x, mark)) << "no re-prompt after unknown number " << attempt;
    }
  }
  ASSERT_TRUE(x->wait_ended(20s)) << "the server did not hang up after 3 unknown numbers";
  EXPECT_TRUE(x->bye_received());

  // Dialled directly: refused before answering.
  Softphone d("D-unknown", 0, "0600000099");
  d.dial("98765401", server->sip_port());
  EXPECT_FALSE(d.wait_answered(5s));
  EXPECT_EQ(d.final_status(), 404);
  EXPECT_TRUE(d.wait_ended(5s));
  EXPECT_EQ(c.number.empty(), false);
}

}  // namespace
}  // namespace confpro::conftest
