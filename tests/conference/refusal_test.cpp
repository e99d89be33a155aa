// Refusals with the right prompt (FEATURES.md I2, B3, B8; issue 5 "Tests"): a conference not yet valid, one
// whose validity window lapsed, a caller not on the booking's allow-list. The caller hears why (recognized by
// ear against the server's prompt), is hung up by the server and never reaches the room.
#include <cstdio>
#include <thread>

#include "e2e.h"

namespace confpro::conftest {
namespace {

using domain::Language;

// `date` in the servers' time zone (Europe/Paris), minute precision, as `booking create --start` takes it.
std::string paris_time(const std::string& offset) {
  const std::string cmd = "TZ=Europe/Paris date -d '" + offset + "' '+%Y-%m-%d %H:%M'";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "";
  char buf[64] = {};
  const bool ok = std::fgets(buf, sizeof buf, p) != nullptr;
  ::pclose(p);
  std::string s = ok ? buf : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

class RefusalTest : public ConferenceTest {
 protected:
  // The caller dials the access number, keys the conference and `pin`, and must be refused with `prompt`.
  void expect_refused(const Conf& c, const std::string& pin, const std::string& prompt,
                      const std::string& caller = "") {
    SoftphoneOptions o;
    o.caller = caller;
    auto x = call("X-refused", kAccessNumber, o);
    ASSERT_TRUE(x);
    x->press("2" + c.number + "#" + pin + "#");
    ASSERT_TRUE(x->wait_digits_sent());
    EXPECT_TRUE(wait_prompt(*x, {prompt}, Language::kEnglish, 0, 20s)) << "the caller did not hear " << prompt;
    EXPECT_TRUE(x->wait_ended(20s)) << "the refused caller was not hung up";
    EXPECT_TRUE(x->bye_received()) << "the call ended, but not by the server's BYE";
    EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + std::to_string(c.id),
              std::vector<std::string>{"0"});
  }
};

ServerOptions exact_audio(double time_scale = 1.0) {
  ServerOptions o;
  o.time_scale = time_scale;
  o.settings["media.suppress_silence"] = "false";
  return o;
}

TEST_F(RefusalTest, ConferenceNotYetValidIsRefusedWithItsPrompt) {
  const Conf c = start_with_booking(exact_audio(), "future", {"--start", paris_time("+2 days")});
  ASSERT_FALSE(HasFatalFailure());
  expect_refused(c, c.moderator_pin, "conference-not-yet-valid");
  EXPECT_EQ(booking_state(c), "scheduled");
}

TEST_F(RefusalTest, ConferenceWhoseValidityLapsedIsRefusedAsEnded) {
  // Valid for one day from 23 h 58 min ago: it lapses within two minutes of server time. The server's clock runs
  // 60x, so two real seconds later the window is over.
  const Conf c = start_with_booking(exact_audio(60), "lapsed", {"--start", paris_time("-1 day +2 minutes"), "--validity-days", "1"});
  ASSERT_FALSE(HasFatalFailure());
  std::this_thread::sleep_for(3s);
  expect_refused(c, c.user_pin, "conference-ended");
}

// Issue 12 item 7: dialling an ended conference's own number says it has ended at once — no PIN asked first.
TEST_F(RefusalTest, EndedConferenceDialledDirectlySaysSoBeforeAnyPin) {
  const Conf c = start_with_booking(exact_audio(60), "lapsed-direct",
                                    {"--start", paris_time("-1 day +2 minutes"), "--validity-days", "1"});
  ASSERT_FALSE(HasFatalFailure());
  std::this_thread::sleep_for(3s);
  auto x = call("X-direct", c.number);
  ASSERT_TRUE(x);
  EXPECT_TRUE(wait_prompt(*x, {"conference-ended"}, Language::kEnglish, 0, 20s))
      << "the caller did not hear that the conference has ended";
  EXPECT_TRUE(x->wait_ended(20s)) << "the caller of an ended conference was not hung up";
  EXPECT_LT(prompt_score(*x, {"enter-pin"}, Language::kEnglish, 0), kHeardScore)
      << "the caller was asked for a PIN of an ended conference";
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + std::to_string(c.id),
                std::vector<std::string>{"0"});
}

TEST_F(RefusalTest, CallerNotOnTheAllowListIsRefused) {
  start_server(exact_audio());
  ASSERT_FALSE(HasFatalFailure());
  // bob is listed in the international form and calls from the "00" form of the same phone; carol is listed
  // with a personal PIN only.
  const Conf c = book("allow-list", {"--join-policy", "allow-list", "--invitee", "bob@example.com/+33611110000",
                                     "--invitee", "carol@example.com//604731"});
  ASSERT_NE(c.id, 0) << "no booking";
  expect_refused(c, c.user_pin, "not-on-allow-list", "0699999999");
  // The listed caller gets in with the same PIN.
  SoftphoneOptions o;
  o.caller = "0033611110000";
  auto bob = call("bob-invited", kAccessNumber, o);
  ASSERT_TRUE(bob);
  bob->press("2" + c.number + "#" + c.user_pin + "#");
  ASSERT_TRUE(bob->wait_digits_sent());
  EXPECT_TRUE(wait_log("joined as user", 10s)) << "the caller on the allow-list was refused";
  EXPECT_TRUE(wait_prompt(*bob, {"only-person"}, Language::kEnglish, 0)) << "bob is not in the conference";
  EXPECT_FALSE(bob->ended());
  // carol, from a number nobody listed, gets in with her personal PIN.
  auto carol = dial_with_pin("carol-personal-pin", c, "604731", "0688888888");
  ASSERT_TRUE(carol);
  EXPECT_TRUE(wait_log("joined as user", 10s, 2)) << "the invitee with her personal PIN was refused";
  EXPECT_FALSE(carol->ended());
  // The history names who came.
  EXPECT_SQL_EQ(*server,
                "SELECT caller_number || ' ' || invitee FROM participant_connections WHERE booking_id = " +
                    std::to_string(c.id) + " ORDER BY id",
                std::vector<std::string>{"0033611110000 bob@example.com", "0688888888 carol@example.com"});
}

}  // namespace
}  // namespace confpro::conftest
