#include "app/config.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace confpro::app {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("confpro-config-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".toml");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
  int counter_ = 0;
};

bool has_error(const Error& e, const std::string& where, const std::string& what) {
  for (const auto& f : e.fields)
    if (f.field.find(where) != std::string::npos && f.message.find(what) != std::string::npos) return true;
  return false;
}

TEST_F(ConfigTest, EmbeddedDefaultsAreValid) {
  auto c = load_config("", {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->storage_url, "sqlite://var/confpro.db");
  EXPECT_EQ(c->conference.number_length, 6);
  EXPECT_FALSE(c->access_numbers.empty());
}

// Issue 18 item 6: the drain after SIGTERM (default 0: stop at once) and the token /metrics asks for (default
// none).
TEST_F(ConfigTest, DrainTimeoutAndMetricsTokenAreReadAndBounded) {
  auto d = load_config("", {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->server.drain_timeout_s, 0);
  EXPECT_TRUE(d->web.metrics_token.empty());
  auto c = load_config(write("[server]\ndrain_timeout_s = 600\n[web]\nmetrics_token = \"t0ken\"\n"), {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.drain_timeout_s, 600);
  EXPECT_EQ(c->web.metrics_token, "t0ken");
  auto bad = load_config(write("[server]\ndrain_timeout_s = -1\n"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), ":2", "drain_timeout_s")) << format_config_errors(bad.error());
}

TEST_F(ConfigTest, NotifySmtpIsReadAndABadUrlOrSenderIsRefused) {
  EXPECT_TRUE(load_config("", {})->notify.smtp.url.empty());  // no [notify.smtp]: serve sends nothing
  auto c =
      load_config(write("[notify]\nlease_s = 5\n[notify.smtp]\nurl = \"smtps://mail.example.org:465\"\n"
                        "starttls = false\nca_file = \"/etc/ca.pem\"\nusername = \"u\"\npassword = \"p\"\n"
                        "from = \"Conf <conf@example.org>\"\n"),
                  {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->notify.smtp.url, "smtps://mail.example.org:465");
  EXPECT_FALSE(c->notify.smtp.starttls);
  EXPECT_EQ(c->notify.smtp.ca_file, "/etc/ca.pem");
  EXPECT_EQ(c->notify.smtp.username, "u");
  EXPECT_EQ(c->notify.smtp.from, "Conf <conf@example.org>");
  EXPECT_EQ(c->notify.worker.lease, std::chrono::seconds{5});
  auto bad = load_config(write("[notify.smtp]\nurl = \"http://mail\"\nfrom = \"nobody\"\n"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), ":2", "notify.smtp.url: must start with smtp://"))
      << bad.error().message;
  EXPECT_TRUE(has_error(bad.error(), ":3", "notify.smtp.from: must be an e-mail address"))
      << bad.error().message;
}

TEST_F(ConfigTest, NotifySmsIsReadWithTheSipNumberRulesAndABadUrlIsRefused) {
  EXPECT_TRUE(load_config("", {})->notify.sms.url.empty());  // no [notify.sms]: SMS rows wait
  auto c = load_config(write("[notify.sms]\nurl = \"http://127.0.0.1:13013/cgi-bin/sendsms\"\n"
                             "username = \"u\"\npassword = \"p\"\nfrom = \"ConfPro\"\n"
                             "[[sip.number_rules]]\nstrip_prefix = \"0033\"\nadd_prefix = \"0\"\n"),
                       {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->notify.sms.url, "http://127.0.0.1:13013/cgi-bin/sendsms");
  EXPECT_EQ(c->notify.sms.username, "u");
  EXPECT_EQ(c->notify.sms.password, "p");
  EXPECT_EQ(c->notify.sms.from, "ConfPro");
  ASSERT_EQ(c->notify.sms.number_rules.size(), 1u);
  EXPECT_EQ(c->notify.sms.number_rules[0].strip_prefix, "0033");
  // Delivery reports come back to this server's [web] (0.0.0.0 → the same host), unless told where or "none".
  EXPECT_EQ(c->notify.sms.report_url, "http://127.0.0.1:8080");
  auto reports = load_config(write("[notify.sms]\nurl = \"http://gw/cgi-bin/sendsms\"\n"
                                   "report_url = \"https://confpro.example.org\"\n"),
                             {});
  ASSERT_TRUE(reports.ok()) << reports.error().message;
  EXPECT_EQ(reports->notify.sms.report_url, "https://confpro.example.org");
  auto none = load_config(write("[web]\naddress = \"10.0.0.5\"\nport = 8443\n[notify.sms]\n"
                                "url = \"http://gw/cgi-bin/sendsms\"\nreport_url = \"none\"\n"),
                          {});
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(none->notify.sms.report_url, "");
  web::WebOptions web;
  web.address = "10.0.0.5";
  web.port = 8443;
  web.tls_cert_file = "cert.pem";
  EXPECT_EQ(default_report_url(web), "https://10.0.0.5:8443");
  auto bad = load_config(write("[notify.sms]\nurl = \"smpp://gw\"\n"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), ":2", "notify.sms.url: must start with http://")) << bad.error().message;
}

TEST_F(ConfigTest, NotifyRemindersAreOffByDefaultAndReadWithTheirChannels) {
  auto d = load_config("", {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->notify.reminders.minutes, 0);
  EXPECT_FALSE(d->notify.reminders.unused_notice);
  EXPECT_EQ(d->notify.templates_dir, "");  // built-in texts
  auto c = load_config(write("[notify]\nreminder_minutes = 15\nreminder_channels = [\"email\", \"sms\"]\n"
                             "unused_notice = true\ntemplates_dir = \"/etc/confpro/templates\"\n"),
                       {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->notify.reminders.minutes, 15);
  EXPECT_TRUE(c->notify.reminders.email);
  EXPECT_TRUE(c->notify.reminders.sms);
  EXPECT_TRUE(c->notify.reminders.unused_notice);
  EXPECT_EQ(c->notify.templates_dir, "/etc/confpro/templates");
  auto sms = load_config(write("[notify]\nreminder_minutes = 5\nreminder_channels = [\"sms\"]\n"), {});
  ASSERT_TRUE(sms.ok());
  EXPECT_FALSE(sms->notify.reminders.email);
  auto bad = load_config(write("[notify]\nreminder_channels = [\"fax\"]\n"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), ":2", "notify.reminder_channels: each must be")) << bad.error().message;
}

TEST_F(ConfigTest, UnknownKeyIsRefusedWithFileAndLine) {
  auto file = write("[server]\ntime_zone = \"UTC\"\n\n[conference]\nnumber_lenght = 7\n");
  auto c = load_config(file, {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has_error(c.error(), file + ":5", "conference.number_lenght: unknown key")) << c.error().message;
}

TEST_F(ConfigTest, UnknownSectionIsRefused) {
  auto c = load_config(write("[sever]\nport = 1\n"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has_error(c.error(), ":1", "sever: unknown key")) << c.error().message;
}

TEST_F(ConfigTest, OutOfRangeValueNamesKeyAndRange) {
  auto file = write("[conference]\npin_length = 3\n");
  auto c = load_config(file, {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has_error(c.error(), file + ":2", "conference.pin_length: must be between 4 and 12, got 3"))
      << c.error().message;
}

TEST_F(ConfigTest, WrongTypeIsRefused) {
  auto c = load_config(write("[media]\nworkers = \"two\"\n"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has_error(c.error(), ":2", "media.workers: expected an integer"));
}

TEST_F(ConfigTest, BadTimeZoneIsRefused) {
  auto c = load_config(write("[server]\ntime_zone = \"Mars/Base\"\n"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has_error(c.error(), ":2", "server.time_zone: unknown time zone"));
}

TEST_F(ConfigTest, SyntaxErrorGivesLine) {
  auto file = write("[server]\ntime_zone = \"UTC\n");
  auto c = load_config(file, {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has_error(c.error(), file + ":2", "")) << c.error().message;
}

TEST_F(ConfigTest, EveryErrorIsReportedAtOnce) {
  auto c = load_config(write("[conference]\npin_length = 99\nnumber_length = 1\nbogus = true\n"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().fields.size(), 3u) << c.error().message;
}

TEST_F(ConfigTest, AccessNumbersAreRead) {
  auto c = load_config(write("[[access_numbers]]\nnumber = \"0800123456\"\nlabel = \"Toll-free\"\n"
                             "kind = \"toll-free\"\nlanguage = \"en\"\n"
                             "[[access_numbers]]\nnumber = \"0140000000\"\nlabel = \"Paris\"\n"),
                       {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->access_numbers.size(), 2u);
  EXPECT_EQ(c->access_numbers[0].kind, "toll-free");
  EXPECT_EQ(c->access_numbers[0].language, "en");
  EXPECT_EQ(c->access_numbers[1].kind, "local");
}

TEST_F(ConfigTest, AccessNumberMustBeDigitsAndKindKnown) {
  auto c = load_config(write("[[access_numbers]]\nnumber = \"08-00\"\nkind = \"free\"\n"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has_error(c.error(), ":2", "access_numbers[0].number: must be digits"));
  EXPECT_TRUE(has_error(c.error(), ":3", "access_numbers[0].kind: must be one of toll-free|local"));
}

TEST_F(ConfigTest, OverridesApplyOnTopOfFile) {
  auto c = load_config(write("[conference]\npin_length = 5\n"),
                       {"conference.pin_length=8", "storage.url=sqlite:///tmp/x.db", "server.time_zone=UTC"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->conference.pin_length, 8);
  EXPECT_EQ(c->storage_url, "sqlite:///tmp/x.db");
  EXPECT_EQ(c->server.time_zone, "UTC");
}

// Issue 12: the PIN read-back (default on), the empty-room grace (default 5 minutes, 0 = never) and the base
// folder.
TEST_F(ConfigTest, CallSettingsOfIssue12HaveTheirDefaultsAndRanges) {
  auto d = load_config("", {});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(d->ivr.read_back_pins);
  EXPECT_EQ(d->conference.empty_end_minutes, 5);
  EXPECT_EQ(d->server.base_dir, "");
  auto c = load_config(write("[ivr]\nread_back_pins = false\n[conference]\nempty_end_minutes = 0\n"),
                       {"server.base_dir=/opt/confpro"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->ivr.read_back_pins);
  EXPECT_EQ(c->conference.empty_end_minutes, 0);
  EXPECT_EQ(c->server.base_dir, "/opt/confpro");
  EXPECT_FALSE(load_config("", {"conference.empty_end_minutes=-1"}).ok());
}

TEST_F(ConfigTest, BadOverrideIsRefused) {
  EXPECT_FALSE(load_config("", {"conference.pin_length"}).ok());
  EXPECT_FALSE(load_config("", {"conference.nope=1"}).ok());
}

TEST_F(ConfigTest, CrossFieldChecks) {
  auto c = load_config(write("[media]\nrtp_port_min = 30000\nrtp_port_max = 20000\n"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has_error(c.error(), "", "media.rtp_port_min: must be below rtp_port_max"));
}

TEST_F(ConfigTest, FloodSettingsAreReadAndTrustedPeersChecked) {
  auto c = load_config(write("[sip]\ntrusted_peers = [\"192.0.2.10\", \"10.1.0.0/16\"]\nban_s = 30\n"
                             "max_ban_s = 600\nmax_ivr_calls_per_source = 4\n"),
                       {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sip.trusted_peers, (std::vector<std::string>{"192.0.2.10", "10.1.0.0/16"}));
  EXPECT_EQ(c->sip.ban_s, 30);
  EXPECT_EQ(c->sip.max_ban_s, 600);
  EXPECT_EQ(c->sip.max_ivr_calls_per_source, 4);
  auto bad =
      load_config(write("[sip]\ntrusted_peers = [\"trunk.example.net\"]\nban_s = 60\nmax_ban_s = 10\n"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), "", "sip.trusted_peers: 'trunk.example.net' is not an IP address"))
      << bad.error().message;
  EXPECT_TRUE(has_error(bad.error(), "", "sip.max_ban_s: must be at least ban_s")) << bad.error().message;
}

TEST_F(ConfigTest, RtpLatchingIsStrictUnlessNatWindowIsAskedFor) {
  auto strict = load_config(write(""), {});
  ASSERT_TRUE(strict.ok()) << strict.error().message;
  EXPECT_EQ(strict->media.rtp_latching, media::RtpLatching::kStrict);
  auto nat = load_config(write("[media]\nrtp_latching = \"nat-window\"\nrtp_latch_window_ms = 2000\n"), {});
  ASSERT_TRUE(nat.ok()) << nat.error().message;
  EXPECT_EQ(nat->media.rtp_latching, media::RtpLatching::kNatWindow);
  EXPECT_EQ(nat->media.rtp_latch_window_ms, 2000);
  auto bad = load_config(write("[media]\nrtp_latching = \"first-packet\"\n"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), ":2", "media.rtp_latching: must be \"strict\" or \"nat-window\""));
}

TEST_F(ConfigTest, DirectoryLdapKeysAreReadAndChecked) {
  auto none = load_config("", {});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->directory.ldap_enabled);
  EXPECT_EQ(none->directory.order, std::vector<std::string>{"local"});

  const std::string ldap =
      "[directory.ldap]\n"
      "base_dn = \"dc=example,dc=org\"\n"
      "user_filter = \"(uid={user})\"\n"
      "organizer_group = \"cn=staff,dc=example,dc=org\"\n";
  auto one = load_config(write(ldap + "uri = \"ldaps://ldap.example.org\"\nstart_tls = true\n"), {});
  ASSERT_TRUE(one.ok()) << format_config_errors(one.error());
  EXPECT_TRUE(one->directory.ldap_enabled);
  EXPECT_EQ(one->directory.ldap.uris, std::vector<std::string>{"ldaps://ldap.example.org"});
  EXPECT_TRUE(one->directory.ldap.start_tls);
  EXPECT_EQ(one->directory.order, (std::vector<std::string>{"local", "ldap"}));
  EXPECT_EQ(one->directory.ldap.operation_timeout_ms, 5000);

  auto list = load_config(write("[directory]\norder = [\"ldap\", \"local\"]\n" + ldap +
                                "uri = [\"ldap://a:389\", \"ldap://b:389\"]\n"),
                          {});
  ASSERT_TRUE(list.ok()) << format_config_errors(list.error());
  EXPECT_EQ(list->directory.ldap.uris, (std::vector<std::string>{"ldap://a:389", "ldap://b:389"}));
  EXPECT_EQ(list->directory.order, (std::vector<std::string>{"ldap", "local"}));

  auto bad = load_config(write("[directory]\norder = [\"local\", \"local\", \"nis\"]\n"
                               "[directory.ldap]\nuri = \"http://x\"\nuser_filter = \"uid=x\"\n"),
                         {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), ".toml:4", "directory.ldap.uri: 'http://x' must start with ldap://")) << format_config_errors(bad.error());
  EXPECT_TRUE(has_error(bad.error(), ".toml", "directory.ldap.base_dn: is required"));
  EXPECT_TRUE(has_error(bad.error(), ".toml:5", "directory.ldap.user_filter: must be an LDAP filter holding {user}"));
  EXPECT_TRUE(has_error(bad.error(), ".toml", "directory.ldap.organizer_group: admin_group or organizer_group is required"));
  EXPECT_TRUE(has_error(bad.error(), ".toml:2", "directory.order: names local twice"));
  EXPECT_TRUE(has_error(bad.error(), ".toml:2", "directory.order: unknown directory 'nis'"));

  auto no_ldap = load_config(write("[directory]\norder = [\"local\", \"ldap\"]\n"), {});
  ASSERT_FALSE(no_ldap.ok());
  EXPECT_TRUE(has_error(no_ldap.error(), ".toml:2", "directory.order: names ldap but [directory.ldap] is missing"));
}

// B7: [[booking.category]] tables; none configured keeps everybody free with the [conference] limits only.
TEST_F(ConfigTest, BookingCategoriesAreRead) {
  auto none = load_config("", {});
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->booking.categories.empty());
  auto c =
      load_config(write("[booking]\ndefault_category = \"guests\"\n"
                        "[[booking.category]]\nname = \"staff\"\n"
                        "groups = [\"cn=staff,ou=groups,dc=example,dc=org\"]\nusers = [\"alice\"]\n"
                        "max_duration_minutes = 120\nmax_participants = 20\nmax_validity_days = 30\n"
                        "max_active_bookings = 3\nrecording_allowed = false\n"
                        "[[booking.category]]\nname = \"guests\"\nusers = [\"bob\"]\nmode = \"refused\"\n"
                        "[[booking.category]]\nname = \"paying\"\neveryone = true\nmode = \"billed\"\n"),
                  {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& cs = c->booking.categories;
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(c->booking.default_category, "guests");
  EXPECT_EQ(cs[0].name, "staff");
  EXPECT_EQ(cs[0].members.groups, (std::vector<std::string>{"cn=staff,ou=groups,dc=example,dc=org"}));
  EXPECT_EQ(cs[0].members.users, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(cs[0].booking, domain::BookingMode::kFree);
  EXPECT_EQ(cs[0].max_duration_minutes, 120);
  EXPECT_EQ(cs[0].max_participants, 20);
  EXPECT_EQ(cs[0].max_validity_days, 30);
  EXPECT_EQ(cs[0].max_active_bookings, 3);
  EXPECT_FALSE(cs[0].recording);
  EXPECT_EQ(cs[1].booking, domain::BookingMode::kRefused);
  EXPECT_TRUE(cs[1].recording);
  EXPECT_EQ(cs[1].max_duration_minutes, 0);
  EXPECT_TRUE(cs[2].members.everyone);
  EXPECT_EQ(cs[2].booking, domain::BookingMode::kBilled);
}

TEST_F(ConfigTest, BadBookingCategoriesAreRefusedPrecisely) {
  auto file = write(
      "[booking]\ndefault_category = \"nobody\"\n"
      "[[booking.category]]\nname = \"staff\"\nmode = \"cheap\"\nmax_participants = 1\n"
      "max_duration_minutes = 3\ngroups = [\"staff\"]\nrecording_allowed = \"no\"\nmax_seats = 4\n"
      "[[booking.category]]\nname = \"staff\"\nusers = [\"alice\"]\nmax_validity_days = -1\n"
      "[[booking.category]]\nname = \"empty\"\n");
  auto c = load_config(file, {});
  ASSERT_FALSE(c.ok());
  const Error& e = c.error();
  EXPECT_TRUE(
      has_error(e, file + ":5", "booking.category[0].mode: must be one of free|refused|billed, got 'cheap'"))
      << e.message;
  EXPECT_TRUE(has_error(e, file + ":6",
                        "booking.category[0].max_participants: must be 0 (no limit of the category) "
                        "or at least 2, got 1"));
  EXPECT_TRUE(has_error(e, file + ":7",
                        "booking.category[0].max_duration_minutes: must be 0 (no limit of the "
                        "category) or at least 5 (conference.min_duration_minutes), got 3"));
  EXPECT_TRUE(has_error(e, file + ":8", "booking.category[0].groups: 'staff' is not a group DN"));
  EXPECT_TRUE(has_error(e, file + ":9", "booking.category[0].recording_allowed: expected true or false"));
  EXPECT_TRUE(has_error(e, file + ":10", "booking.category[0].max_seats: unknown key"));
  EXPECT_TRUE(has_error(e, file + ":12", "booking.category[1].name: duplicate category 'staff'"));
  EXPECT_TRUE(
      has_error(e, file + ":14", "booking.category[1].max_validity_days: must be between 0 and 3650"));
  EXPECT_TRUE(has_error(e, file + ":16", "booking.category[2].name: category 'empty' has no members"));
  EXPECT_TRUE(has_error(e, file + ":2",
                        "booking.default_category: 'nobody' is not the name of a [[booking.category]]"));
  auto twice =
      load_config(write("[[booking.category]]\nname = \"a\"\nusers = [\"alice\"]\neveryone = true\n"
                        "[[booking.category]]\nname = \"b\"\nusers = [\"alice\"]\neveryone = true\n"),
                  {});
  ASSERT_FALSE(twice.ok());
  EXPECT_TRUE(
      has_error(twice.error(), ":7", "booking.category[1].users: 'alice' is already in category 'a'"));
  EXPECT_TRUE(
      has_error(twice.error(), ":8", "booking.category[1].everyone: category 'a' already has everyone"));
}

// Issue 16 P1: [[billing.plans]] prices in integer minor units; bad prices and currencies named precisely.
TEST_F(ConfigTest, BillingPlansAreReadAndBadOnesRefused) {
  auto c = load_config(write("[[billing.plans]]\nname = \"small\"\nmax_duration_minutes = 60\n"
                             "max_participants = 5\nprice = \"5.00\"\ncurrency = \"EUR\"\n"),
                       {});
  ASSERT_TRUE(c.ok()) << format_config_errors(c.error());
  ASSERT_EQ(c->plans.size(), 1u);
  EXPECT_EQ(c->plans[0].price, 500);
  EXPECT_EQ(c->plans[0].max_participants, 5);
  auto file = write("[[billing.plans]]\nname = \"a\"\nmax_duration_minutes = 60\nmax_participants = 5\n"
                    "price = \"-1\"\ncurrency = \"euro\"\n"
                    "[[billing.plans]]\nname = \"a\"\nprice = \"1.234\"\n");
  auto bad = load_config(file, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), file + ":5", "billing.plans[0].price: must be a decimal amount"))
      << format_config_errors(bad.error());
  EXPECT_TRUE(has_error(bad.error(), file + ":6", "billing.plans[0].currency: must be an ISO 4217 code"));
  EXPECT_TRUE(has_error(bad.error(), file + ":8", "billing.plans[1].name: duplicate plan 'a'"));
  EXPECT_TRUE(has_error(bad.error(), file, "billing.plans[1].max_duration_minutes: is required"));
}

// Issue 16 P1/P4: a plan's per-minute terms — overage beyond the included participant-minutes, toll-free and
// dial-out surcharges (plan-level, or [billing.surcharges] for plans setting none) — and hostile values named.
// Issue 16 P1: plans sold to accounts or to booking categories; a category the policy does not have is named.
TEST_F(ConfigTest, APlanIsSoldToAccountsOrToCategoriesThatExist) {
  const std::string categories = "[[booking.category]]\nname = \"staff\"\neveryone = true\n";
  auto c = load_config(write(categories + "[[billing.plans]]\nname = \"deal\"\nmax_duration_minutes = 60\n"
                                          "max_participants = 5\nprice = \"3.00\"\naccounts = [\"acme\", \"globex\"]\n"
                                          "categories = [\"staff\"]\n"),
                       {});
  ASSERT_TRUE(c.ok()) << format_config_errors(c.error());
  EXPECT_EQ(c->plans[0].accounts, (std::vector<std::string>{"acme", "globex"}));
  EXPECT_EQ(c->plans[0].categories, std::vector<std::string>{"staff"});
  auto file = write(categories + "[[billing.plans]]\nname = \"deal\"\nmax_duration_minutes = 60\n"
                                 "max_participants = 5\nprice = \"3.00\"\naccounts = [\"\"]\n"
                                 "categories = [\"staf\"]\n");
  auto bad = load_config(file, {});
  ASSERT_FALSE(bad.ok());
  const std::string errors = format_config_errors(bad.error());
  EXPECT_NE(errors.find("billing.plans[0].categories: no [[booking.category]] is named 'staf'"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("billing.plans[0].accounts: an account name is 1 to 100 characters"), std::string::npos)
      << errors;
}

TEST_F(ConfigTest, BillingPlanPerMinuteTermsAreReadAndHostileOnesNamed) {
  auto c = load_config(write("[billing.surcharges]\ntoll_free_per_minute = \"0.10\"\n"
                             "[[billing.surcharges.dial_out]]\nprefix = \"+33\"\nper_minute = \"0.02\"\n"
                             "[[billing.plans]]\nname = \"small\"\nmax_duration_minutes = 60\n"
                             "max_participants = 5\nprice = \"5.00\"\noverage_per_participant_minute = \"0.05\"\n"
                             "included_participant_minutes = 120\n"
                             "[[billing.plans]]\nname = \"big\"\nmax_duration_minutes = 60\nmax_participants = 50\n"
                             "price = \"20\"\ntoll_free_per_minute = \"0\"\n"
                             "[[billing.plans.dial_out]]\nprefix = \"+1\"\nper_minute = \"0.04\"\n"),
                       {});
  ASSERT_TRUE(c.ok()) << format_config_errors(c.error());
  ASSERT_EQ(c->plans.size(), 2u);
  EXPECT_EQ(c->plans[0].overage_per_participant_minute, 5);
  EXPECT_EQ(c->plans[0].included_minutes(), 120);
  EXPECT_EQ(c->plans[0].toll_free_per_minute, 10) << "[billing.surcharges] for a plan that sets none";
  EXPECT_EQ(c->plans[0].dial_out, (std::vector<domain::DialOutRate>{{"+33", 2}}));
  EXPECT_FALSE(c->plans[1].overage_per_participant_minute) << "no overage: a flat package";
  EXPECT_EQ(c->plans[1].included_minutes(), 3000);
  EXPECT_EQ(c->plans[1].toll_free_per_minute, 0) << "its own surcharges replace the defaults";
  EXPECT_EQ(c->plans[1].dial_out, (std::vector<domain::DialOutRate>{{"+1", 4}}));
  EXPECT_EQ(c->cdr.plans, c->plans) << "the CDR files price the legs with the same plans";

  auto file = write("[[billing.plans]]\nname = \"a\"\nmax_duration_minutes = 60\nmax_participants = 5\n"
                    "price = \"5\"\noverage_per_participant_minute = \"-0.05\"\n"       // 6
                    "included_participant_minutes = -1\n"                                  // 7
                    "toll_free_per_minute = \"1000.01\"\n"                                 // 8
                    "overage_minutes = 3\n"                                                // 9
                    "[[billing.plans.dial_out]]\nprefix = \"33a\"\nper_minute = \"0.025\"\n"  // 10-12
                    "[[billing.plans.dial_out]]\nprefix = \"+\"\n"                          // 13-14
                    "[[billing.plans]]\nname = \"b\"\nmax_duration_minutes = 60\nmax_participants = 5\n"
                    "price = \"5\"\nincluded_participant_minutes = 10\ntoll_free_per_minute = 0.1\n");  // 15-21
  auto bad = load_config(file, {});
  ASSERT_FALSE(bad.ok());
  const std::string errors = format_config_errors(bad.error());
  EXPECT_TRUE(has_error(bad.error(), file + ":6",
                        "billing.plans[0].overage_per_participant_minute: must be a decimal amount per minute"))
      << errors;
  EXPECT_TRUE(has_error(bad.error(), file + ":7", "billing.plans[0].included_participant_minutes")) << errors;
  EXPECT_TRUE(has_error(bad.error(), file + ":8", "billing.plans[0].toll_free_per_minute: must be a decimal amount "
                                                  "per minute such as \"0.05\" (0 to 1000.00")) << errors;
  EXPECT_TRUE(has_error(bad.error(), file + ":9", "billing.plans[0].overage_minutes")) << errors;
  EXPECT_TRUE(has_error(bad.error(), file + ":11", "billing.plans[0].dial_out[0].prefix: must be 1 to 15 digits"))
      << errors;
  EXPECT_TRUE(has_error(bad.error(), file + ":12", "billing.plans[0].dial_out[0].per_minute: must be a decimal"))
      << errors;
  EXPECT_TRUE(has_error(bad.error(), file + ":14", "billing.plans[0].dial_out[1].prefix: must be 1 to 15 digits"))
      << errors;
  EXPECT_TRUE(has_error(bad.error(), file, "billing.plans[0].dial_out[1].per_minute: is required")) << errors;
  EXPECT_TRUE(has_error(bad.error(), file + ":20",
                        "billing.plans[1].included_participant_minutes: has no effect without "
                        "overage_per_participant_minute")) << errors;
  EXPECT_TRUE(has_error(bad.error(), file + ":21", "billing.plans[1].toll_free_per_minute: expected a string"))
      << errors;
}

// Issue 16 P3: [billing.cdr], off by default.
TEST_F(ConfigTest, CdrFilesAreOffByDefaultAndTheirKeysAreChecked) {
  auto d = load_config("", {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->cdr.dir, "");
  EXPECT_EQ(d->cdr.interval, std::chrono::seconds(5));
  EXPECT_EQ(d->cdr.rotate_bytes, 0u);
  EXPECT_FALSE(d->cdr.rotate_daily);
  auto c = load_config(write("[billing.cdr]\ndir = \"/var/lib/confpro/cdr\"\ninterval_seconds = 2\n"
                             "rotate_bytes = 1048576\nrotate_daily = true\n"),
                       {});
  ASSERT_TRUE(c.ok()) << format_config_errors(c.error());
  EXPECT_EQ(c->cdr.dir, "/var/lib/confpro/cdr");
  EXPECT_EQ(c->cdr.interval, std::chrono::seconds(2));
  EXPECT_EQ(c->cdr.rotate_bytes, 1048576u);
  EXPECT_TRUE(c->cdr.rotate_daily);
  auto file = write("[billing.cdr]\ninterval_seconds = 0\nrotate_bytes = -1\nfolder = \"x\"\n");
  auto bad = load_config(file, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), file + ":2", "billing.cdr.interval_seconds")) << format_config_errors(bad.error());
  EXPECT_TRUE(has_error(bad.error(), file + ":3", "billing.cdr.rotate_bytes"));
  EXPECT_TRUE(has_error(bad.error(), file + ":4", "billing.cdr.folder"));
}

// Issue 16 P3: [billing] coupling and [billing.radius]; radius without servers or secret is refused.
TEST_F(ConfigTest, BillingRadiusCouplingIsReadAndIncompleteOnesRefused) {
  auto d = load_config("", {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->billing.coupling, "ledger");
  EXPECT_FALSE(d->billing.fail_open);
  auto c =
      load_config(write("[billing]\ncoupling = \"radius\"\nfail_open = true\n[billing.radius]\n"
                        "servers = [\"127.0.0.1:18120\", \"radius2:1812\"]\nsecret = \"s3cret\"\n"
                        "timeout_ms = 500\nretries = 2\nnas_identifier = \"paris-1\"\naccounting = false\n"
                        "interim_seconds = 60\n"),
                  {});
  ASSERT_TRUE(c.ok()) << format_config_errors(c.error());
  EXPECT_EQ(c->billing.coupling, "radius");
  EXPECT_TRUE(c->billing.fail_open);
  EXPECT_EQ(c->billing.radius.servers, (std::vector<std::string>{"127.0.0.1:18120", "radius2:1812"}));
  EXPECT_EQ(c->billing.radius.secret, "s3cret");
  EXPECT_EQ(c->billing.radius.timeout_ms, 500);
  EXPECT_EQ(c->billing.radius.retries, 2);
  EXPECT_EQ(c->billing.radius.nas_identifier, "paris-1");
  EXPECT_FALSE(c->billing.radius.accounting);
  EXPECT_EQ(c->billing.radius.interim_seconds, 60);
  auto file = write("[billing]\ncoupling = \"diameter\"\n");
  auto bad = load_config(file, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.error(), file + ":2", "billing.coupling: must be one of ledger|radius|http"))
      << format_config_errors(bad.error());
  auto incomplete =
      load_config(write("[billing]\ncoupling = \"radius\"\n[billing.radius]\nservers = [\"nohost\"]\n"), {});
  ASSERT_FALSE(incomplete.ok());
  EXPECT_TRUE(has_error(incomplete.error(), "", "billing.radius.servers: 'nohost' is not \"host:port\""))
      << format_config_errors(incomplete.error());
  EXPECT_TRUE(has_error(incomplete.error(), "", "billing.radius.secret: is required"));
}

// Issue 16 P3: [billing.http]; coupling = "http" without url or secret, or with a url that is not http(s), is
// refused.
TEST_F(ConfigTest, BillingHttpCouplingIsReadAndIncompleteOnesRefused) {
  auto c =
      load_config(write("[billing]\ncoupling = \"http\"\n[billing.http]\n"
                        "url = \"https://billing.example.net/confpro/\"\nsecret = \"k3y\"\ntimeout_ms = 800\n"
                        "ca_file = \"/etc/ssl/op.pem\"\nreserve_retries = 0\n"),
                  {});
  ASSERT_TRUE(c.ok()) << format_config_errors(c.error());
  EXPECT_EQ(c->billing.coupling, "http");
  EXPECT_EQ(c->billing.http.url, "https://billing.example.net/confpro");
  EXPECT_EQ(c->billing.http.secret, "k3y");
  EXPECT_EQ(c->billing.http.timeout_ms, 800);
  EXPECT_EQ(c->billing.http.connect_timeout_ms, 1000);
  EXPECT_EQ(c->billing.http.ca_file, "/etc/ssl/op.pem");
  EXPECT_EQ(c->billing.http.reserve_retries, 0);
  auto missing = load_config(write("[billing]\ncoupling = \"http\"\n"), {});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(has_error(missing.error(), "", "billing.http.url: is required"))
      << format_config_errors(missing.error());
  EXPECT_TRUE(has_error(missing.error(), "", "billing.http.secret: is required"));
  auto ftp = load_config(
      write("[billing]\ncoupling = \"http\"\n[billing.http]\nurl = \"ftp://x\"\nsecret = \"k\"\n"), {});
  ASSERT_FALSE(ftp.ok());
  EXPECT_TRUE(has_error(ftp.error(), "", "billing.http.url: must start with http:// or https://"))
      << format_config_errors(ftp.error());
}

TEST_F(ConfigTest, NodeNameDefaultsToTheHostNameAndSipUriToTheSipAddress) {
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  auto c = load_config("", {"sip.listen_address=127.0.0.11", "sip.port=5070"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->node.name, host);
  EXPECT_EQ(c->node.sip_uri, "sip:127.0.0.11:5070");
  EXPECT_EQ(c->node.claim_ttl_s, 30);
  EXPECT_EQ(c->node.claim_renew_s, 10);
  auto pub = load_config("", {"sip.public_address=203.0.113.7", "node.name=conf-b"});
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(pub->node.sip_uri, "sip:203.0.113.7:5060") << "the address the others can reach";
  auto old_spelling = load_config("", {"server.node_id=conf-a"});
  ASSERT_TRUE(old_spelling.ok());
  EXPECT_EQ(old_spelling->node.name, "conf-a") << "server.node_id names the node when node.name is not set";
  auto named = load_config("", {"node.name=conf-a"});
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->server.node_id, "conf-a") << "sessions are written with the node's name";
  EXPECT_EQ(c->server.node_id, host) << "neither set: the host name, for both";
  auto any = load_config("", {"node.name=conf-b"});
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->node.sip_uri, "sip:conf-b:5060") << "listening on 0.0.0.0: the node's name";
  auto set = load_config("", {"node.sip_uri=\"sips:[2001:db8::11]:5061;transport=tls\""});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->node.sip_uri, "sips:[2001:db8::11]:5061;transport=tls");
}

TEST_F(ConfigTest, ABadNodeNameSipUriOrClaimTimingIsRefusedWithItsReason) {
  auto c = load_config(write("[node]\nname = \"node 1\"\nsip_uri = \"http://10.0.0.11\"\n"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has_error(c.error(), ":2", "node.name: 'node 1': only letters, digits"));
  EXPECT_TRUE(has_error(c.error(), ":3", "node.sip_uri: 'http://10.0.0.11': must start with sip: or sips:"));
  auto user = load_config("", {"node.sip_uri=\"sip:3000@10.0.0.11\""});
  ASSERT_FALSE(user.ok());
  EXPECT_TRUE(has_error(user.error(), "", "node.sip_uri: 'sip:3000@10.0.0.11': must not have a user part"))
      << format_config_errors(user.error());
  auto port = load_config("", {"node.sip_uri=\"sip:10.0.0.11:70000\""});
  ASSERT_FALSE(port.ok());
  EXPECT_TRUE(has_error(port.error(), "", "node.sip_uri: 'sip:10.0.0.11:70000': port must be 1-65535"));
  auto nohost = load_config("", {"node.sip_uri=\"sip::5060\""});
  ASSERT_FALSE(nohost.ok());
  EXPECT_TRUE(has_error(nohost.error(), "", "has no host"));
  auto timing = load_config("", {"node.claim_ttl_s=20", "node.claim_renew_s=15"});
  ASSERT_FALSE(timing.ok());
  EXPECT_TRUE(has_error(timing.error(), "", "node.claim_renew_s: must be at most claim_ttl_s / 2"));
  auto two_names = load_config("", {"server.node_id=conf-a", "node.name=conf-b"});
  ASSERT_FALSE(two_names.ok());
  EXPECT_TRUE(has_error(two_names.error(), "",
                        "node.name: 'conf-b' but server.node_id is 'conf-a': one node, one name"));
  auto long_name = load_config("", {"node.name=" + std::string(64, 'a')});
  ASSERT_FALSE(long_name.ok());
  EXPECT_TRUE(has_error(long_name.error(), "", "node.name: at most 63 characters"));
}

}  // namespace
}  // namespace confpro::app
