// LdapDirectory and ChainDirectory against a real slapd (tests/directory/slapd.sh, fixtures.ldif): the shared
// server of the CTest fixture confpro_slapd (CONFPRO_TEST_SLAPD_DIR), and one of its own for the test that kills
// and restarts it. Issue 14 item 1 and its "bad input and faults".
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/config.h"
#include "directory/chain_directory.h"
#include "directory/ldap_directory.h"
#include "directory/local_directory.h"
#include "store/store.h"

namespace confpro::directory {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* const kScript = "tests/directory/slapd.sh";  // tests run from the source folder
const char* const kOrganizers = "cn=confpro-organizers,ou=groups,dc=example,dc=org";
const char* const kAdmins = "cn=confpro-admins,ou=groups,dc=example,dc=org";

struct Slapd {
  fs::path dir;
  std::map<std::string, std::string> env;
  std::string ldap() const { return "ldap://127.0.0.1:" + env.at("LDAP_PORT"); }
  std::string ldaps() const { return "ldaps://127.0.0.1:" + env.at("LDAPS_PORT"); }
  std::string dead() const { return "ldap://127.0.0.1:" + env.at("DEAD_PORT"); }
  pid_t pid() const {
    std::ifstream in(dir / "slapd.pid");
    pid_t p = 0;
    in >> p;
    return p;
  }
};

std::optional<Slapd> read_slapd(const fs::path& dir) {
  std::ifstream in(dir / "env");
  if (!in) return std::nullopt;
  Slapd s{dir, {}};
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) s.env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return s;
}

int run_script(const std::string& cmd, const fs::path& dir) {
  return std::system((std::string("sh ") + kScript + " " + cmd + " " + dir.string() + " >/dev/null").c_str());
}

LdapOptions options_for(const Slapd& s) {
  LdapOptions o;
  o.uris = {s.ldap()};
  o.bind_dn = "cn=confpro,ou=services,dc=example,dc=org";
  o.bind_password = "service-pw";
  o.base_dn = "dc=example,dc=org";
  o.user_filter = "(&(objectClass=inetOrgPerson)(uid={user}))";
  o.admin_group = kAdmins;
  o.organizer_group = kOrganizers;
  o.network_timeout_ms = 1000;
  o.operation_timeout_ms = 2000;
  return o;
}

bool has_group(const DirectoryUser& u, const std::string& dn) {
  return std::find(u.groups.begin(), u.groups.end(), dn) != u.groups.end();
}

long long ms_since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

class LdapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);  // as `confpro serve` does: a write to a killed server's socket is an error, not death
    const char* dir = std::getenv("CONFPRO_TEST_SLAPD_DIR");
    if (dir == nullptr) GTEST_SKIP() << "CONFPRO_TEST_SLAPD_DIR not set (run through ctest: fixture confpro_slapd)";
    auto s = read_slapd(dir);
    if (!s) GTEST_SKIP() << "no slapd (scripts/bootstrap installs slapd)";
    slapd_ = *s;
  }
  Slapd slapd_;
};

TEST_F(LdapTest, LoginMapsAttributesAndTheRoleFromTheGroup) {
  LdapDirectory ldap(options_for(slapd_));
  auto alice = ldap.authenticate("alice", "alice-pw-1");
  ASSERT_TRUE(alice.ok()) << alice.error().message;
  EXPECT_EQ(alice->username, "alice");
  EXPECT_EQ(alice->display_name, "Alice Martin");
  EXPECT_EQ(alice->email, "alice@example.org");
  EXPECT_EQ(alice->mobile, "+33611111111");
  EXPECT_EQ(alice->caller_numbers, (std::vector<std::string>{"+33 1 40 00 00 01", "+33 1 40 00 00 09"}));
  EXPECT_EQ(alice->source, "ldap");
  EXPECT_EQ(alice->role, "organizer");
  EXPECT_TRUE(has_group(*alice, kOrganizers));
  auto bob = ldap.authenticate("bob", "bob-pw-22");
  ASSERT_TRUE(bob.ok()) << bob.error().message;
  EXPECT_EQ(bob->role, "admin");
  EXPECT_EQ(ldap.find("bob")->role, "admin");
}

TEST_F(LdapTest, WrongPasswordUnknownUserAndEmptyPasswordAreRefusedAlike) {
  LdapDirectory ldap(options_for(slapd_));
  bool known = false;
  auto wrong = ldap.authenticate("alice", "nope", known);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, "invalid username or password");
  EXPECT_TRUE(known);
  auto unknown = ldap.authenticate("mallory", "whatever", known);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, wrong.error().message);
  EXPECT_FALSE(known);
  EXPECT_EQ(ldap.authenticate("alice", "").error().message, wrong.error().message);
  // Refused before any bind, indeed before any connection: with only a dead server it is still "invalid", not
  // "directory unavailable" (Active Directory would take the empty password as an anonymous bind: success).
  LdapOptions dead = options_for(slapd_);
  dead.uris = {slapd_.dead()};
  LdapDirectory nowhere(dead);
  auto empty = nowhere.authenticate("alice", "");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(LdapTest, FilterInjectionNulAndNonAsciiFindNothing) {
  EXPECT_EQ(escape_filter_value("*)(uid=*"), "\\2A\\29\\28uid=\\2A");
  EXPECT_EQ(fill_filter("(uid={user})", "a*"), "(uid=a\\2A)");
  LdapDirectory ldap(options_for(slapd_));
  const std::string nul("alice\0x", 7);
  for (const std::string& login : {std::string("*"), std::string("*)(uid=*"), std::string("alice)(|(uid=*"),
                                  std::string("a*"), std::string("*)(objectClass=*"), nul,
                                  std::string("\\00"), std::string("al\xc3\xa9ice"), std::string("ali\\2ace")}) {
    bool known = true;
    auto r = ldap.authenticate(login, "alice-pw-1", known);
    ASSERT_FALSE(r.ok()) << login;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << login;
    EXPECT_FALSE(known) << "found an entry for '" << login << "'";
    EXPECT_FALSE(ldap.find(login).ok()) << login;
  }
}

TEST_F(LdapTest, AUserInNeitherGroupCannotLogIn) {
  LdapDirectory ldap(options_for(slapd_));
  auto carol = ldap.authenticate("carol", "carol-pw-3");
  ASSERT_FALSE(carol.ok());
  EXPECT_EQ(carol.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(carol.error().message, "invalid username or password");
  EXPECT_EQ(ldap.find("carol").error().code, ErrorCode::kNotFound);
}

TEST_F(LdapTest, NestedGroupsByMemberOfAndByRecursiveSearch) {
  // in_chain: AD's matching rule, unknown to slapd (no error, no match): the memberOf values still count.
  for (const char* strategy : {"memberof", "recursive", "in_chain"}) {
    LdapOptions o = options_for(slapd_);
    o.group_strategy = strategy;
    LdapDirectory ldap(o);
    auto dave = ldap.authenticate("dave", "dave-pw-44");  // team-a ⊂ confpro-organizers
    ASSERT_TRUE(dave.ok()) << strategy << ": " << dave.error().message;
    EXPECT_EQ(dave->role, "organizer") << strategy;
    EXPECT_TRUE(has_group(*dave, kOrganizers)) << strategy;
    EXPECT_TRUE(has_group(*dave, "cn=team-a,ou=groups,dc=example,dc=org")) << strategy;
    EXPECT_EQ(ldap.authenticate("bob", "bob-pw-22")->role, "admin") << strategy;
    EXPECT_FALSE(ldap.authenticate("carol", "carol-pw-3").ok()) << strategy;
  }
}

TEST_F(LdapTest, StartTlsAndLdapsVerifyTheCertificateAuthority) {
  LdapOptions tls = options_for(slapd_);
  tls.start_tls = true;
  tls.ca_file = slapd_.env.at("CA_FILE");
  LdapOptions ldaps = options_for(slapd_);
  ldaps.uris = {slapd_.ldaps()};
  ldaps.ca_file = slapd_.env.at("CA_FILE");
  for (auto* o : {&tls, &ldaps}) {
    LdapDirectory right(*o);
    auto ok = right.authenticate("alice", "alice-pw-1");
    EXPECT_TRUE(ok.ok()) << o->uris[0] << ": " << (ok.ok() ? "" : ok.error().message);
    LdapOptions wrong_ca = *o;
    wrong_ca.ca_file = slapd_.env.at("WRONG_CA_FILE");
    LdapDirectory wrong(wrong_ca);
    auto refused = wrong.authenticate("alice", "alice-pw-1");
    ASSERT_FALSE(refused.ok()) << o->uris[0] << ": a certificate from another CA was accepted";
    EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(refused.error().message, "directory unavailable");
    EXPECT_FALSE(wrong.status().at(0).reachable);
    EXPECT_NE(wrong.status().at(0).last_error, "");
  }
  // The same server named by a host the certificate does not carry (localhost vs IP:127.0.0.1) is refused.
  LdapOptions mismatch = tls;
  mismatch.uris = {"ldap://localhost:" + slapd_.env.at("LDAP_PORT")};
  LdapDirectory other_name(mismatch);
  EXPECT_EQ(other_name.authenticate("alice", "alice-pw-1").error().code, ErrorCode::kUnavailable);
}

TEST_F(LdapTest, FailsOverFromADeadFirstServerAndSaysWhichIsDown) {
  LdapOptions o = options_for(slapd_);
  o.uris = {slapd_.dead(), slapd_.ldap()};
  LdapDirectory ldap(o);
  auto alice = ldap.authenticate("alice", "alice-pw-1");
  ASSERT_TRUE(alice.ok()) << alice.error().message;
  auto status = ldap.probe();
  ASSERT_EQ(status.size(), 2u);
  EXPECT_FALSE(status[0].reachable);
  EXPECT_NE(status[0].last_error, "");
  EXPECT_TRUE(status[1].reachable);
  EXPECT_EQ(status[1].last_error, "");
}

// Its own server: killed (refused at once), restarted (works again: the pooled connection to the dead process is
// dropped), then frozen (SIGSTOP: connects but never answers) — "directory unavailable" within the timeout, and
// a second server behind it is reached after network_timeout_ms.
TEST_F(LdapTest, KilledRestartedAndFrozenServer) {
  const fs::path dir = fs::temp_directory_path() / ("confpro-slapd-own-" + std::to_string(::getpid()));
  ASSERT_EQ(run_script("start", dir), 0);
  auto own = read_slapd(dir);
  ASSERT_TRUE(own);
  LdapOptions o = options_for(*own);
  o.operation_timeout_ms = 1000;
  LdapDirectory ldap(o);
  ASSERT_TRUE(ldap.authenticate("alice", "alice-pw-1").ok());

  ASSERT_EQ(run_script("kill", dir), 0);
  auto t0 = Clock::now();
  auto down = ldap.authenticate("alice", "alice-pw-1");
  const long long killed_ms = ms_since(t0);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(down.error().message, "directory unavailable");
  EXPECT_LE(killed_ms, o.operation_timeout_ms);

  ASSERT_EQ(run_script("restart", dir), 0);
  auto again = ldap.authenticate("alice", "alice-pw-1");
  EXPECT_TRUE(again.ok()) << again.error().message;

  const pid_t pid = own->pid();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  t0 = Clock::now();
  auto frozen = ldap.authenticate("alice", "alice-pw-1");
  const long long frozen_ms = ms_since(t0);
  // Fail-over past a server that accepts connections but never answers: it gets network_timeout_ms, not the
  // whole login, and the next server (the shared one) answers.
  LdapOptions two = options_for(slapd_);
  two.uris = {own->ldap(), slapd_.ldap()};
  two.network_timeout_ms = 300;
  two.operation_timeout_ms = 3000;
  LdapDirectory failover(two);
  t0 = Clock::now();
  auto past_frozen = failover.authenticate("alice", "alice-pw-1");
  const long long failover_ms = ms_since(t0);
  EXPECT_TRUE(past_frozen.ok()) << past_frozen.error().message;
  EXPECT_LE(failover_ms, 3 * two.network_timeout_ms) << "waited for the frozen server past network_timeout_ms";
  ::kill(pid, SIGCONT);
  ASSERT_FALSE(frozen.ok());
  EXPECT_EQ(frozen.error().code, ErrorCode::kUnavailable);
  EXPECT_LE(frozen_ms, o.operation_timeout_ms + 250) << "waited past operation_timeout_ms";
  std::printf("[ measure ] directory down: killed %lld ms, frozen %lld ms (operation_timeout_ms %d); fail-over past "
              "a frozen server %lld ms (network_timeout_ms %d)\n",
              killed_ms, frozen_ms, o.operation_timeout_ms, failover_ms, two.network_timeout_ms);
  run_script("stop", dir);
}

// The chain over a real store: LDAP users provisioned on first login, refreshed, disabled locally, their phone
// PIN kept locally; local accounts log in while LDAP is down.
class ChainTest : public LdapTest {
 protected:
  void SetUp() override {
    LdapTest::SetUp();
    if (IsSkipped()) return;
    char tmpl[] = "/tmp/confpro-chain-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = store::open_store("sqlite://" + (dir_ / "db.sqlite").string());
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    ASSERT_TRUE(store_->migrate().ok());
    local_ = std::make_unique<LocalDirectory>(*store_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  ChainDirectory chain(LdapDirectory& ldap, std::vector<std::string> order = {"local", "ldap"}) {
    return ChainDirectory(*local_, &ldap, std::move(order), *store_, clock_);
  }
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<LocalDirectory> local_;
  SystemClock clock_;
};

TEST_F(ChainTest, FirstLoginProvisionsTheUserWhoIsThenRefreshedAndCanBeDisabled) {
  LdapDirectory ldap(options_for(slapd_));
  auto c = chain(ldap);
  auto alice = c.authenticate("alice", "alice-pw-1");
  ASSERT_TRUE(alice.ok()) << alice.error().message;
  auto stored = store_->find_user("alice");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->source, "ldap");
  EXPECT_EQ(stored->role, "organizer");
  EXPECT_EQ(stored->display_name, "Alice Martin");
  EXPECT_EQ(stored->password_hash, "");
  EXPECT_FALSE(local_->authenticate("alice", "alice-pw-1").ok()) << "an LDAP user has no local password";
  EXPECT_EQ(local_->set_password("alice", "local-password").error().reason, "external_directory");

  store::User edited = *stored;
  edited.display_name = "stale";
  edited.role = "admin";
  ASSERT_TRUE(store_->update_user(edited).ok());
  ASSERT_TRUE(c.authenticate("alice", "alice-pw-1").ok());
  EXPECT_EQ(store_->find_user("alice")->display_name, "Alice Martin") << "refreshed at each login";
  EXPECT_EQ(store_->find_user("alice")->role, "organizer");

  ASSERT_TRUE(local_->set_disabled("alice", true).ok());
  auto refused = c.authenticate("alice", "alice-pw-1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "invalid username or password");
  EXPECT_EQ(c.authenticate("alice", "wrong").error().message, "invalid username or password");
  EXPECT_EQ(c.authenticate("nobody", "whatever").error().message, "invalid username or password");
}

TEST_F(ChainTest, AnLdapUsersPhonePinIsKeptLocallyAndTheDirectoryStillDecides) {
  LdapDirectory ldap(options_for(slapd_));
  auto c = chain(ldap);
  ASSERT_TRUE(c.authenticate("dave", "dave-pw-44").ok());
  ASSERT_TRUE(local_->set_phone_access("dave", std::string("4711"), std::string("902134")).ok());
  auto phone = c.authenticate_phone("4711", "902134");
  ASSERT_TRUE(phone.ok()) << phone.error().message;
  EXPECT_EQ(phone->username, "dave");
  EXPECT_EQ(phone->source, "ldap");
  EXPECT_TRUE(has_group(*phone, kOrganizers)) << "groups from the directory (booking categories need them)";
  EXPECT_FALSE(c.authenticate_phone("4711", "000000").ok());
  auto found = c.find("dave");
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(has_group(*found, kOrganizers));

  LdapOptions dead = options_for(slapd_);
  dead.uris = {slapd_.dead()};
  LdapDirectory down(dead);
  auto c_down = chain(down);
  EXPECT_EQ(c_down.authenticate_phone("4711", "902134").error().code, ErrorCode::kUnavailable);
}

// The numbers an LDAP user calls from (mobile, telephoneNumber) are kept at login and recognise them on the phone,
// in whatever form the caller's number arrives (here national, after the operator's rule 0033 → 0).
TEST_F(ChainTest, AnLdapUserCallingFromTheirDeskPhoneIsRecognised) {
  LdapDirectory ldap(options_for(slapd_));
  local_->set_number_rules({{"0033", "0"}});
  auto c = chain(ldap);
  ASSERT_TRUE(c.authenticate("alice", "alice-pw-1").ok());
  EXPECT_EQ(store_->find_user("alice")->caller_numbers, "+33140000001 +33140000009");
  EXPECT_EQ(store_->find_user("alice")->mobile, "+33611111111");
  ASSERT_TRUE(local_->set_phone_access("alice", std::string("4712"), std::string("551177")).ok());
  for (const char* caller : {"0140000009", "0611111111"}) {
    auto phone = c.authenticate_phone(caller, "551177");
    ASSERT_TRUE(phone.ok()) << caller << ": " << phone.error().message;
    EXPECT_EQ(phone->username, "alice");
  }
  EXPECT_FALSE(c.authenticate_phone("0140000009", "000000").ok());
  EXPECT_FALSE(c.authenticate_phone("0140000008", "551177").ok());
}

TEST_F(ChainTest, LocalAccountsLogInWhileTheDirectoryIsDown) {
  NewUser admin;
  admin.username = "admin";
  admin.password = "admin-password";
  admin.role = "admin";
  ASSERT_TRUE(local_->add_user(admin).ok());
  LdapOptions dead = options_for(slapd_);
  dead.uris = {slapd_.dead()};
  LdapDirectory down(dead);
  auto c = chain(down);
  auto t0 = Clock::now();
  EXPECT_TRUE(c.authenticate("admin", "admin-password").ok());
  EXPECT_EQ(c.authenticate("admin", "wrong-password").error().code, ErrorCode::kUnauthenticated);
  auto alice = c.authenticate("alice", "alice-pw-1");
  ASSERT_FALSE(alice.ok());
  EXPECT_EQ(alice.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(alice.error().message, "directory unavailable");
  EXPECT_LE(ms_since(t0), dead.operation_timeout_ms + 1000);

  // Directory first: a local account's name found in LDAP too is refused, not taken over.
  LdapDirectory ldap(options_for(slapd_));
  NewUser bob;
  bob.username = "bob";
  bob.password = "local-bob-password";
  ASSERT_TRUE(local_->add_user(bob).ok());
  auto ldap_first = chain(ldap, {"ldap", "local"});
  EXPECT_FALSE(ldap_first.authenticate("bob", "bob-pw-22").ok());
  EXPECT_EQ(store_->find_user("bob")->source, "local");
  EXPECT_TRUE(ldap_first.authenticate("admin", "admin-password").ok()) << "unknown to LDAP: local answers";
}

// README.md's Active Directory example, as written there, with only the site's names (servers, DNs, CA,
// password) replaced by the test server's: sAMAccountName logins, objectClass=user, memberOf groups.
TEST_F(LdapTest, TheReadmeActiveDirectoryExampleRunsAgainstSlapd) {
  std::ifstream readme("README.md");
  std::stringstream text;
  text << readme.rdbuf();
  const std::string all = text.str();
  const auto begin = all.find("<!-- ad-example:start -->");
  const auto end = all.find("<!-- ad-example:end -->");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::string block = all.substr(begin, end - begin);
  block = block.substr(block.find("```toml") + 7);
  block = block.substr(0, block.find("```"));
  const fs::path file = fs::temp_directory_path() / ("confpro-ad-example-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << block;
  auto config = app::load_config(
      file.string(), {"directory.ldap.uri=\"" + slapd_.ldaps() + "\"",
                      "directory.ldap.ca_file=\"" + slapd_.env.at("CA_FILE") + "\"",
                      "directory.ldap.bind_dn=\"cn=confpro,ou=services,dc=example,dc=org\"",
                      "directory.ldap.bind_password=\"service-pw\"", "directory.ldap.base_dn=\"dc=example,dc=org\"",
                      std::string("directory.ldap.admin_group=\"") + kAdmins + "\"",
                      std::string("directory.ldap.organizer_group=\"") + kOrganizers + "\""});
  fs::remove(file);
  ASSERT_TRUE(config.ok()) << app::format_config_errors(config.error());
  ASSERT_TRUE(config->directory.ldap_enabled);
  EXPECT_EQ(config->directory.ldap.login_attribute, "sAMAccountName");
  LdapDirectory ad(config->directory.ldap);
  auto alice = ad.authenticate("AMartin", "alice-pw-1");  // AD logins ignore case
  ASSERT_TRUE(alice.ok()) << alice.error().message;
  EXPECT_EQ(alice->username, "amartin");
  EXPECT_EQ(alice->role, "organizer");
  EXPECT_EQ(alice->email, "alice@example.org");
  EXPECT_EQ(ad.authenticate("bdupont", "bob-pw-22")->role, "admin");
  EXPECT_EQ(ad.authenticate("dmoreau", "dave-pw-44")->role, "organizer");
  EXPECT_FALSE(ad.authenticate("cleroy", "carol-pw-3").ok());
  EXPECT_FALSE(ad.authenticate("alice", "alice-pw-1").ok()) << "uid is not the login attribute here";
}

// Measured, not asserted: LDAP login p50/p99 against the local slapd (search + group read + user bind), in clear
// and with StartTLS (each password check is a fresh connection, so a TLS handshake each).
TEST_F(LdapTest, MeasureLoginLatency) {
  LdapOptions tls = options_for(slapd_);
  tls.start_tls = true;
  tls.ca_file = slapd_.env.at("CA_FILE");
  for (const auto& [name, o] : {std::pair{"clear", options_for(slapd_)}, std::pair{"StartTLS", tls}}) {
    LdapDirectory ldap(o);
    std::vector<long long> us;
    for (int i = 0; i < 200; ++i) {
      auto t0 = Clock::now();
      ASSERT_TRUE(ldap.authenticate(i % 2 ? "alice" : "dave", i % 2 ? "alice-pw-1" : "dave-pw-44").ok());
      us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
    }
    std::sort(us.begin(), us.end());
    std::printf("[ measure ] LDAP login (%s) over 200: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", name, us[100] / 1000.0,
                us[198] / 1000.0, us.back() / 1000.0);
  }
}

}  // namespace
}  // namespace confpro::directory
