// Creating a conference by phone in French with the number read back checked by ear, and inviting someone by
// number from the web console (FEATURES.md I3, I5, S2, M4; issue 5 "Tests").
#include <thread>

#include "common/timezone.h"
#include "e2e.h"
#include "ivr/say.h"
#include "web_client.h"

namespace confpro::conftest {
namespace {

using domain::Language;

// "valable jusqu'au <until, in the test servers' zone> pour <max> participants", as catalog keys.
std::vector<std::string> validity_keys(TimePoint until, int max) {
  auto local = ivr::to_local_date_time(until, "Europe/Paris");
  auto count = ivr::number_keys(max, Language::kFrench);
  if (!local || !count) return {};
  std::vector<std::string> keys{"valid-until"};
  const auto date = ivr::date_keys(*local, Language::kFrench);
  keys.insert(keys.end(), date.begin(), date.end());
  keys.emplace_back("for-up-to");
  keys.insert(keys.end(), count->begin(), count->end());
  keys.emplace_back("participants");
  return keys;
}

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

  // The read-back, in French: "votre numéro de conférence est" then the number digit by digit, then "valable
  // jusqu'au <date de fin> pour <n> participants" — the end of validity and the maximum of the stored booking.
  ASSERT_TRUE(wait_prompt(*p, {"your-conference-number-is"}, Language::kFrench, before, 30s))
      << "the creator never heard \"your conference number is\" in French";
  auto until = parse_iso_time(b.value("valid_until", ""));
  ASSERT_TRUE(until) << "valid_until: " << b.dump();
  const auto details = validity_keys(*until, b.value("max_participants", 0));
  ASSERT_FALSE(details.empty());
  EXPECT_EQ(b.value("max_participants", 0), 5);
  std::string number_check, details_check;
  const auto deadline = SteadyClock::now() + 40s;  // polled: the whole sentence takes ~10 s to play
  do {
    std::this_thread::sleep_for(300ms);
    const auto heard = p->heard_since(before);
    number_check = check_number_read_back(heard, c.number, Language::kFrench);
    details_check = check_keys_in_order(heard, details, Language::kFrench);
  } while ((!number_check.empty() || !details_check.empty()) && !p->ended() && SteadyClock::now() < deadline);
  EXPECT_EQ(number_check, "") << "number " << c.number;
  EXPECT_EQ(details_check, "") << "validity and participants of " << b.dump();
  // Issue 12 item 2: between the number and the validity, both PINs digit by digit, in French.
  EXPECT_EQ(check_keys_in_order(p->heard_since(before), pin_read_back_keys(c.user_pin, c.moderator_pin),
                                Language::kFrench),
            "")
      << "the creator did not hear the PINs in French";
  // The checks are able to fail: another number (one digit changed), another end date (a day later) or another
  // maximum is not what was read back.
  const auto heard = p->heard_since(before);
  std::string other = c.number;
  other.back() = other.back() == '9' ? '0' : static_cast<char>(other.back() + 1);
  EXPECT_NE(check_number_read_back(heard, other, Language::kFrench), "") << "a wrong number passes the check";
  EXPECT_NE(check_keys_in_order(heard, validity_keys(*until + std::chrono::hours(24), 5), Language::kFrench), "")
      << "a wrong end date passes the check";
  EXPECT_NE(check_keys_in_order(heard, validity_keys(*until, 6), Language::kFrench), "")
      << "a wrong maximum of participants passes the check";
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
