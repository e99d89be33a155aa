// Creating a conference by phone in French with the number read back checked by ear, and inviting someone by
// number from the web console (FEATURES.md I3, I5, S2, M4; issue 5 "Tests").
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <map>
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

// Issue 14: an LDAP user creates a conference by phone. The service points at a real slapd (tests/directory/
// slapd.sh: StartTLS, fixtures.ldif); dave (an organizer through a nested group) logs in on the web once
// (provisioned, source LDAP) and sets his phone PIN there (LDAP holds none); he then calls from his desk phone —
// his telephoneNumber in the directory, written "+33 1 40 00 00 07" there and arriving as 0140000007 — keys '#'
// for "the number I call from" and his PIN, and the conference is created in his name.
TEST_F(ConferenceTest, AnLdapUserCreatesByPhoneFromTheDeskPhoneTheDirectoryKnows) {
  char tmpl[] = "/tmp/confpro-e2e-slapd-XXXXXX";
  const std::string state = std::string(mkdtemp(tmpl)) + "/slapd";
  const int rc = std::system(("sh tests/directory/slapd.sh start " + state).c_str());
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) GTEST_SKIP() << "slapd not installed (scripts/bootstrap)";
  ASSERT_EQ(rc, 0) << "slapd did not start";
  struct StopSlapd {
    std::string state;
    ~StopSlapd() { (void)std::system(("sh tests/directory/slapd.sh stop " + state).c_str()); }
  } stop{state};
  std::map<std::string, std::string> env;
  std::ifstream in(state + "/env");
  for (std::string line; std::getline(in, line);)
    if (auto eq = line.find('='); eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  ASSERT_FALSE(env["LDAP_PORT"].empty());

  ServerOptions o;
  o.web = true;
  o.extra_toml = "[[sip.number_rules]]\nstrip_prefix = \"0033\"\nadd_prefix = \"0\"\n"
                 "[directory.ldap]\nuri = \"ldap://127.0.0.1:" + env["LDAP_PORT"] + "\"\nstart_tls = true\n"
                 "ca_file = \"" + env["CA_FILE"] + "\"\n"
                 "bind_dn = \"cn=confpro,ou=services,dc=example,dc=org\"\nbind_password = \"service-pw\"\n"
                 "base_dn = \"dc=example,dc=org\"\nuser_filter = \"(&(objectClass=inetOrgPerson)(uid={user}))\"\n"
                 "organizer_group = \"cn=confpro-organizers,ou=groups,dc=example,dc=org\"\n"
                 "admin_group = \"cn=confpro-admins,ou=groups,dc=example,dc=org\"\n";
  start_server(o);
  ASSERT_FALSE(HasFatalFailure());
  WebClient web(server->web_port());
  ASSERT_TRUE(web.login("dave", "dave-pw-44")) << "LDAP login";
  const auto set = web.put("/api/v1/session/phone-access", {{"phone_account", "4712"}, {"phone_pin", "551177"}});
  ASSERT_EQ(set.status, 200) << set.body;

  SoftphoneOptions desk;
  desk.caller = "0140000007";
  auto p = call("bureau", "3000", desk);
  ASSERT_TRUE(p);
  p->press("1");
  ASSERT_TRUE(p->wait_digits_sent());
  ASSERT_TRUE(wait_prompt_then_silence(*p, p->mark())) << "no account prompt";
  p->press("#551177#30#5#");  // '#': the number I call from; then the PIN, 30 minutes, 5 participants
  ASSERT_TRUE(p->wait_digits_sent());
  ASSERT_TRUE(wait_log("created by phone by dave", 15s)) << "the desk phone was not recognised as dave's";
  auto list = server->cli_json({"booking", "list", "--owner", "dave"});
  const nlohmann::json items = list.is_array() ? list : list.value("items", nlohmann::json::array());
  EXPECT_EQ(items.size(), 1u) << list.dump();
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

// Invites by number (issue 12 items 5 and 6): the trunk's far end is a softphone answering on its own SIP
// port.
class InviteTest : public ConferenceTest {
 protected:
  // Starts a server whose trunk leads to `invited` (which answers), with an admin "root" and `settings`.
  void start_with_trunk(std::map<std::string, std::string> settings = {}) {
    SoftphoneOptions callee;
    callee.sip_port = free_port();
    callee.tone_hz = kToneB;
    invited = std::make_unique<Softphone>("invited", callee);
    ServerOptions o;
    o.trunk_uri = "sip:127.0.0.1:" + std::to_string(callee.sip_port);
    o.sip_extra = "dial_plan = [\"07[0-9]{8}\"]";
    o.settings = std::move(settings);
    o.settings["media.suppress_silence"] = "false";
    web = start_with_admin(o);
    ASSERT_TRUE(web);
  }
  std::string base(const Conf& c) { return "/api/v1/conferences/live/" + std::to_string(c.id); }
  // The state of the (only) invite in the live snapshot, "" when none (or the conference is not live).
  std::string invite_state(const Conf& c) {
    auto live = web->get(base(c)).json();
    auto invites = live.value("invites", nlohmann::json::array());
    return invites.empty() ? ""
                           : invites.back().value("state", "") + "/" + invites.back().value("reason", "");
  }
  bool wait_invite_state(const Conf& c, const std::string& state, std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (SteadyClock::now() < deadline) {
      if (invite_state(c).rfind(state + "/", 0) == 0) return true;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "invite never reached " << state << "; last: " << invite_state(c);
    return false;
  }
  std::unique_ptr<Softphone> invited;
  std::unique_ptr<WebClient> web;
};

TEST_F(InviteTest, InviteByNumberSaysWhoInvitesAndOnlyOneBringsThePersonIn) {
  start_with_trunk();
  ASSERT_FALSE(HasFatalFailure());
  const Conf c = book("invite");
  ASSERT_NE(c.id, 0) << "no booking";
  auto m = join_via_menu("M", c, c.moderator_pin, kToneA);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_log("joined as moderator"));

  // Refused before anything is dialled, each with its own code: outside the dial plan (the number field), a
  // locked conference.
  auto bad = web->post(base(c) + "/invite", {{"number", "0899999999"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.json()["error"].value("code", ""), "number_not_allowed") << bad.body;
  EXPECT_EQ(bad.json()["error"]["fields"][0].value("field", ""), "number") << bad.body;
  ASSERT_EQ(web->post(base(c) + "/lock", nlohmann::json::object()).status, 204);
  auto locked = web->post(base(c) + "/invite", {{"number", "0712345678"}});
  EXPECT_EQ(locked.status, 409) << locked.body;
  EXPECT_EQ(locked.json()["error"].value("code", ""), "conference_locked") << locked.body;
  EXPECT_FALSE(invited->wait_answered(2s)) << "a locked conference's invite was dialled";
  ASSERT_EQ(web->post(base(c) + "/unlock", nlohmann::json::object()).status, 204);

  const auto started = SteadyClock::now();
  auto r = web->post(base(c) + "/invite", {{"number", "0712345678"}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json().value("status", ""), "dialing");
  ASSERT_TRUE(invited->wait_answered(10s)) << "the trunk never got the call";
  EXPECT_EQ(invited->incoming_to(), "0712345678");
  report_ms("invite request to the trunk's answer", ms_between(started, *invited->answered_at()));
  EXPECT_TRUE(wait_invite_state(c, "answered", 5s));

  // The intro (the conference's name and organizer, spoken), then "to join, press 1" — and not the room yet.
  auto press1 = wait_prompt(*invited, {"press-1-to-join"}, Language::kEnglish, 0, 15s);
  ASSERT_TRUE(press1) << "the invited person was not asked to press 1";
  report_ms("answer to the end of \"press 1 to join\"", static_cast<double>(press1->end) / 8.0);
  EXPECT_LT(press1->end, static_cast<std::size_t>(12 * Softphone::kRate)) << "the intro is not short";
  EXPECT_EQ(web->get(base(c)).json().value("participants", nlohmann::json::array()).size(), 1u)
      << "answering put the person in before pressing 1";
  EXPECT_FALSE(hears_tone(invited->heard_all(), kToneA, 0.1)) << "the room was heard before pressing 1";

  const std::size_t before = invited->mark();
  invited->press("1");
  ASSERT_TRUE(invited->wait_digits_sent());
  EXPECT_TRUE(wait_tone(*invited, kToneA, 15s)) << "the invited person never heard the room after pressing 1";
  EXPECT_GT(invited->mark(), before);
  EXPECT_TRUE(wait_tone(*m, kToneB, 10s)) << "the room does not hear the invited person";
  EXPECT_TRUE(wait_invite_state(c, "joined", 5s));
  EXPECT_SQL_EQ(*server, "SELECT role, caller_number FROM participant_connections WHERE booking_id = " +
                        std::to_string(c.id) + " AND left_at IS NULL ORDER BY role",
            (std::vector<std::string>{"moderator|0600000010", "user|0712345678"}));
  EXPECT_EQ(web->get(base(c)).json().value("participants", nlohmann::json::array()).size(), 2u);
}

TEST_F(InviteTest, AnInviteeWhoNeverPressesOneIsHungUpOnAndNeverEnters) {
  start_with_trunk({{"ivr.invite_answer_timeout_ms", "1000"}});
  ASSERT_FALSE(HasFatalFailure());
  const Conf c = book("voicemail", {"--max-participants", "2"});
  auto m = join_via_menu("M", c, c.moderator_pin, kToneA);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_log("joined as moderator"));
  ASSERT_EQ(web->post(base(c) + "/invite", {{"number", "0712345678"}}).status, 202);
  ASSERT_TRUE(invited->wait_answered(10s)) << "the trunk never got the call";
  const auto answered = SteadyClock::now();
  // The moderator and the invite being answered take both places: another invite is refused before dialling.
  auto full = web->post(base(c) + "/invite", {{"number", "0712345679"}});
  EXPECT_EQ(full.status, 409) << full.body;
  EXPECT_EQ(full.json()["error"].value("code", ""), "conference_full") << full.body;
  // Like an answering machine: it listens and never presses anything.
  ASSERT_TRUE(invited->wait_ended(30s)) << "the invitee who never pressed 1 was not hung up";
  report_ms("answer to the hang-up without 1", ms_between(answered, SteadyClock::now()));
  EXPECT_TRUE(invited->bye_received());
  EXPECT_FALSE(hears_tone(invited->heard_all(), kToneA, 0.1)) << "the answering machine heard the room";
  EXPECT_TRUE(wait_invite_state(c, "no-answer", 5s));
  EXPECT_EQ(web->get(base(c)).json().value("participants", nlohmann::json::array()).size(), 1u);
  EXPECT_SQL_EQ(*server,
                "SELECT count(*) FROM participant_connections WHERE booking_id = " + std::to_string(c.id),
                (std::vector<std::string>{"1"}));
}

TEST_F(InviteTest, EndingTheConferenceDuringTheIntroHangsUpTheInviteeAndItNeverComesBack) {
  start_with_trunk({{"ivr.invite_answer_timeout_ms", "1000"}});
  ASSERT_FALSE(HasFatalFailure());
  const Conf c = book("ghost");
  auto m = join_via_menu("M", c, c.moderator_pin, kToneA);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_log("joined as moderator"));
  ASSERT_EQ(web->post(base(c) + "/invite", {{"number", "0712345678"}}).status, 202);
  ASSERT_TRUE(invited->wait_answered(10s));
  ASSERT_TRUE(wait_invite_state(c, "answered", 5s));
  ASSERT_EQ(web->post(base(c) + "/end", nlohmann::json::object()).status, 204);
  EXPECT_TRUE(invited->wait_ended(10s))
      << "the invitee in the intro was not hung up when the conference ended";
  EXPECT_TRUE(m->wait_ended(15s));
  // Longer than the intro played twice with its silences (the old ghost came back when the intro ended).
  const auto deadline = SteadyClock::now() + 12s;
  while (SteadyClock::now() < deadline) {
    auto live = web->get("/api/v1/conferences/live").json();
    for (const auto& item : live.value("items", nlohmann::json::array()))
      ASSERT_NE(item.value("booking_id", 0LL), c.id) << "the ended conference came back: " << live.dump();
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_EQ(booking_state(c), "ended");
  EXPECT_SQL_EQ(*server,
                "SELECT count(*) FROM conference_sessions WHERE booking_id = " + std::to_string(c.id),
                (std::vector<std::string>{"1"}));
  // And the invite is refused before dialling now.
  auto again = web->post(base(c) + "/invite", {{"number", "0712345678"}});
  EXPECT_EQ(again.status / 100, 4) << again.body;
}

}  // namespace
}  // namespace confpro::conftest
