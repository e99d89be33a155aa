// Creating a conference by phone in French with the number read back checked by ear, and inviting someone by
// number from the web console (FEATURES.md I3, I5, S2, M4; issue 5 "Tests").
#include <thread>

#include "e2e.h"
#include "web_client.h"

namespace confpro::conftest {
namespace {

using domain::Language;

TEST_F(ConferenceTest, CreateByPhoneInFrenchReadsBackTheNumberThatThenWorks) {
  ServerOptions o;
  o.settings["media.suppress_silence"] = "false";  // the heard timeline matches the prompt files
  start_server(o);
  ASSERT_FALSE(HasFatalFailure());
  auto p = call("createur", "3000");
  ASSERT_TRUE(p);
  p->press("1");
  ASSERT_TRUE(p->wait_digits_sent());
  ASSERT_TRUE(wait_prompt_then_silence(*p, p->mark())) << "no account prompt";
  const std::size_t before = p->mark();
  p->press("4242#1357#30#5#");
  ASSERT_TRUE(p->wait_digits_sent());
  ASSERT_TRUE(wait_log("created by phone by alice", 10s)) << "no booking created by phone";
  auto list = server->cli_json({"booking", "list", "--owner", "alice"});
  const nlohmann::json items = list.is_array() ? list : list.value("items", nlohmann::json::array());
  ASSERT_EQ(items.size(), 1u) << list.dump();
  const auto& b = items[0];
  EXPECT_EQ(b.value("language", ""), "fr");
  Conf c;
  c.id = b.value("id", 0LL);
  c.number = b.value("number", "");
  c.user_pin = b.value("user_pin", "");
  c.moderator_pin = b.value("moderator_pin", "");
  ASSERT_FALSE(c.number.empty());

  // The read-back: "votre numéro de conférence est" then the number, digit by digit, in French.
  ASSERT_TRUE(wait_prompt(*p, {"your-conference-number-is"}, Language::kFrench, before, 15s))
      << "the creator never heard \"your conference number is\" in French";
  std::this_thread::sleep_for(std::chrono::milliseconds(700 * c.number.size() + 500));
  const auto heard = p->heard_since(before);
  const std::string checked = check_number_read_back(heard, c.number, Language::kFrench);
  EXPECT_EQ(checked, "") << "number " << c.number;
  // The check is able to fail: another number (one digit changed) is not what was read back.
  std::string other = c.number;
  other.back() = other.back() == '9' ? '0' : static_cast<char>(other.back() + 1);
  EXPECT_NE(check_number_read_back(heard, other, Language::kFrench), "") << "a wrong number passes the check";
  EXPECT_TRUE(p->hang_up());

  // Two callers join the new conference through the French access number with the PINs, and talk.
  auto join_fr = [&](const std::string& name, const std::string& pin, double tone) {
    auto phone = call(name, "3000", tone);
    if (phone) phone->press("2" + c.number + "#" + pin + "#");
    return phone;
  };
  auto u = join_fr("U", c.user_pin, kToneA);
  ASSERT_TRUE(u);
  auto m = join_fr("M", c.moderator_pin, kToneB);
  ASSERT_TRUE(m);
  EXPECT_TRUE(wait_tone(*u, kToneB, 15s)) << "the conference created by phone does not carry audio";
  EXPECT_TRUE(wait_tone(*m, kToneA, 15s));
}

TEST_F(ConferenceTest, InviteByNumberFromTheWebApiBringsTheAnsweredPersonIn) {
  // The trunk's far end: a softphone answering on its own SIP port.
  SoftphoneOptions callee;
  callee.sip_port = free_port();
  callee.tone_hz = kToneB;
  auto invited = std::make_unique<Softphone>("invited", callee);
  ServerOptions o;
  o.web = true;
  o.trunk_uri = "sip:127.0.0.1:" + std::to_string(callee.sip_port);
  o.sip_extra = "dial_plan = [\"07[0-9]{8}\"]";
  o.settings["media.suppress_silence"] = "false";
  make_server(o);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(server->cli({"user", "add", "root", "--role", "admin", "--password", "root-password-1"}).exit_code, 0);
  ASSERT_TRUE(server->start());
  const Conf c = book("invite");
  ASSERT_NE(c.id, 0) << "no booking";
  auto m = join_via_menu("M", c, c.moderator_pin, kToneA);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_log("joined as moderator"));

  WebClient web(server->web_port());
  ASSERT_TRUE(web.login("root", "root-password-1")) << "admin login failed";
  const auto base = "/api/v1/conferences/live/" + std::to_string(c.id);
  EXPECT_EQ(web.post(base + "/invite", {{"number", "0899999999"}}).status / 100, 4)
      << "a number outside the dial plan was dialled";
  const auto started = SteadyClock::now();
  auto r = web.post(base + "/invite", {{"number", "0712345678"}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json().value("status", ""), "dialing");

  ASSERT_TRUE(invited->wait_answered(10s)) << "the trunk never got the call";
  EXPECT_EQ(invited->incoming_to(), "0712345678");
  report_ms("invite request to the trunk's answer", ms_between(started, *invited->answered_at()));
  // It hears which conference it is ("you are invited to join conference …"), then the room.
  EXPECT_TRUE(wait_prompt(*invited, {"invited-to-conference"}, Language::kEnglish, 0, 10s))
      << "the invited person was not told which conference it is";
  EXPECT_TRUE(wait_tone(*invited, kToneA, 30s)) << "the invited person never heard the room";
  EXPECT_EQ(check_number_read_back(invited->heard_all(), c.number, Language::kEnglish), "")
      << "the invited person was not read the conference's number " << c.number;
  EXPECT_TRUE(wait_tone(*m, kToneB, 10s)) << "the room does not hear the invited person";
  EXPECT_SQL_EQ(*server, "SELECT role, caller_number FROM participant_connections WHERE booking_id = " +
                        std::to_string(c.id) + " AND left_at IS NULL ORDER BY role",
            (std::vector<std::string>{"moderator|0600000010", "user|0712345678"}));
  auto live = web.get(base).json();
  EXPECT_EQ(live.value("participants", nlohmann::json::array()).size(), 2u) << live.dump();
}

}  // namespace
}  // namespace confpro::conftest
