#include "app/config.h"

#include <sstream>

#include "app/config_components.h"
#include "common/timezone.h"

namespace confpro::app {

namespace {

// Applies "a.b.c=value" to the root table. The value is parsed as TOML ("5060", "true", "[\"a\"]", "\"x\"");
// a bare word that is not valid TOML is taken as a string.
Status apply_override(toml::table& root, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Error::invalid("--set", "expected key=value, got '" + assignment + "'");
  }
  std::string key = assignment.substr(0, eq);
  std::string value = assignment.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    parsed = toml::table{};
    parsed.insert("v", value);
  }
  std::vector<std::string> path;
  std::stringstream parts(key);
  for (std::string part; std::getline(parts, part, '.');) path.push_back(part);
  toml::table* t = &root;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!t->get(path[i])) t->insert(path[i], toml::table{});
    toml::node* node = t->get(path[i]);
    if (!node->is_table()) return Error::invalid("--set", "'" + key + "': " + path[i] + " is not a table");
    t = node->as_table();
  }
  t->insert_or_assign(path.back(), std::move(*parsed.get("v")));
  return {};
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void read_server(ConfigReader r, ServerSettings& s) {
  r.get("node_id", s.node_id);
  r.get("time_zone", s.time_zone);
  if (auto st = validate_time_zone(s.time_zone); !st) r.fail("time_zone", st.error().fields.at(0).message);
  r.get("data_dir", s.data_dir);
  r.get("time_scale", s.time_scale, 0.01, 10000.0);
  r.get("admin_user", s.admin_user);
  r.get("base_dir", s.base_dir);
  r.get_int("drain_timeout_s", s.drain_timeout_s, 0, 86400);
  r.finish();
}

void read_log(ConfigReader r, log::Options& o) {
  r.get_enum("level", o.level, {"trace", "debug", "info", "warn", "error", "critical", "off"});
  r.get_map("components", o.components);
  for (const auto& [name, level] : o.components)
    if (!log::validate_level(level)) r.fail("components", "unknown level '" + level + "' for " + name);
  r.get("file", o.file);
  r.finish();
}

void read_access_numbers(ConfigReader& root, std::vector<AccessNumberSettings>& out) {
  auto tables = root.tables("access_numbers");
  if (tables.empty()) return;
  out.clear();
  for (size_t i = 0; i < tables.size(); ++i) {
    ConfigReader r = root.sub(tables[i], "access_numbers[" + std::to_string(i) + "]");
    AccessNumberSettings a;
    r.get("number", a.number);
    if (!all_digits(a.number)) r.fail("number", "must be digits, e.g. \"0800123456\"");
    r.get("label", a.label);
    r.get_enum("kind", a.kind, {"toll-free", "local"});
    r.get_enum("language", a.language, {"fr", "en"});
    r.finish();
    for (const auto& other : out)
      if (other.number == a.number) r.fail("number", "duplicate access number " + a.number);
    out.push_back(a);
  }
}

void read_conference(ConfigReader r, domain::ConferenceLimits& c) {
  r.get_int("number_length", c.number_length, 4, 12);
  r.get_int("pin_length", c.pin_length, 4, 12);
  r.get_int("min_duration_minutes", c.min_duration_minutes, 1, 1440);
  r.get_int("max_duration_minutes", c.max_duration_minutes, 1, 10080);
  r.get_int("default_duration_minutes", c.default_duration_minutes, 1, 10080);
  r.get_int("max_participants", c.max_participants, 2, 10000);
  r.get_int("default_max_participants", c.default_max_participants, 2, 10000);
  r.get_int("max_validity_days", c.max_validity_days, 1, 3650);
  r.get_int("default_validity_days", c.default_validity_days, 1, 3650);
  r.get_int("warning_minutes", c.warning_minutes, 0, 60);
  r.get_int("credit_warning_seconds", c.credit_warning_seconds, 0, 3600);
  r.get_int("empty_end_minutes", c.empty_end_minutes, 0, 1440);
  std::string lang = c.default_language == domain::Language::kEnglish ? "en" : "fr";
  r.get_enum("default_language", lang, {"fr", "en"});
  c.default_language = lang == "en" ? domain::Language::kEnglish : domain::Language::kFrench;
  if (c.min_duration_minutes > c.max_duration_minutes)
    r.fail("min_duration_minutes", "must not exceed max_duration_minutes");
  if (c.default_duration_minutes < c.min_duration_minutes || c.default_duration_minutes > c.max_duration_minutes)
    r.fail("default_duration_minutes", "must lie between min_duration_minutes and max_duration_minutes");
  if (c.default_max_participants > c.max_participants)
    r.fail("default_max_participants", "must not exceed max_participants");
  if (c.default_validity_days > c.max_validity_days)
    r.fail("default_validity_days", "must not exceed max_validity_days");
  r.finish();
}

void read_ivr(ConfigReader r, IvrSettings& s) {
  r.get("sounds_dir", s.sounds_dir);
  r.get("moh_dir", s.moh_dir);
  r.get("overrides_dir", s.overrides_dir);
  r.get("generated_dir", s.generated_dir);
  r.get_int("digit_timeout_ms", s.digit_timeout_ms, 500, 60000);
  r.get_int("first_digit_timeout_ms", s.first_digit_timeout_ms, 1000, 120000);
  r.get_int("max_tries", s.max_tries, 1, 10);
  r.get_int("invite_answer_timeout_ms", s.invite_answer_timeout_ms, 1000, 120000);
  r.get_int("pin_lockout_failures", s.pin_lockout_failures, 1, 1000);
  r.get_int("pin_lockout_conference_failures", s.pin_lockout_conference_failures, 0, 100000);
  r.get_int("pin_lockout_window_s", s.pin_lockout_window_s, 10, 86400);
  r.get_int("pin_lockout_duration_s", s.pin_lockout_duration_s, 10, 86400 * 7);
  r.get("read_back_pins", s.read_back_pins);
  r.finish();
}

void read_media(ConfigReader r, media::EngineOptions& m) {
  r.get_int("workers", m.workers, 0, 256);
  r.get_int("rtp_port_min", m.rtp_port_min, 1024, 65534);
  r.get_int("rtp_port_max", m.rtp_port_max, 1024, 65534);
  r.get_int("mix_rate", m.mix_rate, 8000, 48000);
  if (m.mix_rate != 16000 && m.mix_rate != 48000 && m.mix_rate != 8000)
    r.fail("mix_rate", "must be 8000, 16000 or 48000");
  r.get_int("max_speakers", m.max_speakers, 0, 100);
  r.get_int("jitter_min_ms", m.jitter_min_ms, 0, 1000);
  r.get_int("jitter_max_ms", m.jitter_max_ms, 20, 2000);
  r.get_int("rtp_timeout_ms", m.rtp_timeout_ms, 0, 3600000);
  r.get_int("max_sessions", m.max_sessions, 1, 1000000);
  r.get_int("nice", m.nice, -20, 19);
  r.get_int("realtime_priority", m.realtime_priority, 0, 99);
  r.get("recordings_dir", m.recordings_dir);
  r.get("suppress_silence", m.suppress_silence);
  std::string latching = media::to_string(m.rtp_latching);
  r.get("rtp_latching", latching);
  if (latching == "strict" || latching == "nat-window") {
    m.rtp_latching = latching == "strict" ? media::RtpLatching::kStrict : media::RtpLatching::kNatWindow;
  } else {
    r.fail("rtp_latching", "must be \"strict\" or \"nat-window\"");
  }
  r.get_int("rtp_latch_window_ms", m.rtp_latch_window_ms, 0, 30000);
  if (m.rtp_port_min >= m.rtp_port_max) r.fail("rtp_port_min", "must be below rtp_port_max");
  if (m.jitter_min_ms > m.jitter_max_ms) r.fail("jitter_min_ms", "must not exceed jitter_max_ms");
  r.finish();
}

void read_storage(ConfigReader r, std::string& url) {
  r.get("url", url);
  if (url.rfind("sqlite://", 0) != 0 && url.rfind("postgresql://", 0) != 0)
    r.fail("url", "must start with sqlite:// or postgresql://");
  r.finish();
}

void read_ldap(ConfigReader l, const toml::table& t, directory::LdapOptions& o) {
  if (const toml::node* uri = t.get("uri"); uri != nullptr && uri->is_string()) {
    std::string one;
    l.get("uri", one);
    o.uris = {one};
  } else {
    l.get("uri", o.uris);
  }
  if (o.uris.empty()) l.fail("uri", "is required: \"ldap://host\", \"ldaps://host\" or a list of them");
  for (const auto& u : o.uris)
    if (u.rfind("ldap://", 0) != 0 && u.rfind("ldaps://", 0) != 0)
      l.fail("uri", "'" + u + "' must start with ldap:// or ldaps://");
  l.get("start_tls", o.start_tls);
  l.get("ca_file", o.ca_file);
  l.get("bind_dn", o.bind_dn);
  l.get("bind_password", o.bind_password);
  l.get("base_dn", o.base_dn);
  if (o.base_dn.empty()) l.fail("base_dn", "is required (where users are searched)");
  l.get("user_filter", o.user_filter);
  if (o.user_filter.find("{user}") == std::string::npos || o.user_filter.front() != '(')
    l.fail("user_filter", "must be an LDAP filter holding {user}, e.g. \"(uid={user})\"");
  l.get("admin_group", o.admin_group);
  l.get("organizer_group", o.organizer_group);
  if (o.admin_group.empty() && o.organizer_group.empty())
    l.fail("organizer_group", "admin_group or organizer_group is required: a user in neither cannot log in");
  l.get_enum("group_strategy", o.group_strategy, {"memberof", "in_chain", "recursive"});
  l.get("login_attribute", o.login_attribute);
  l.get("display_name_attribute", o.display_name_attribute);
  l.get("mail_attribute", o.mail_attribute);
  l.get("mobile_attribute", o.mobile_attribute);
  l.get("caller_number_attributes", o.caller_number_attributes);
  l.get("member_of_attribute", o.member_of_attribute);
  l.get("group_filter", o.group_filter);
  l.get("member_attribute", o.member_attribute);
  l.get_int("network_timeout_ms", o.network_timeout_ms, 100, 60000);
  l.get_int("operation_timeout_ms", o.operation_timeout_ms, 100, 120000);
  l.get_int("pool_size", o.pool_size, 1, 64);
  l.finish();
}

void read_directory(ConfigReader r, DirectorySettings& d) {
  r.get("order", d.order);
  if (const toml::table* t = r.table("ldap")) {
    d.ldap_enabled = true;
    read_ldap(r.sub(t, "ldap"), *t, d.ldap);
  }
  if (d.order.empty()) d.order = d.ldap_enabled ? std::vector<std::string>{"local", "ldap"} : std::vector<std::string>{"local"};
  for (size_t i = 0; i < d.order.size(); ++i) {
    const auto& name = d.order[i];
    if (name != "local" && name != "ldap") r.fail("order", "unknown directory '" + name + "' (local|ldap)");
    if (name == "ldap" && !d.ldap_enabled) r.fail("order", "names ldap but [directory.ldap] is missing");
    for (size_t j = 0; j < i; ++j)
      if (d.order[j] == name) r.fail("order", "names " + name + " twice");
  }
  r.finish();
}

}  // namespace

std::string format_config_errors(const Error& error) {
  std::string out;
  for (const auto& f : error.fields) out += f.field + ": " + f.message + "\n";
  if (error.fields.empty()) out = error.message + "\n";
  return out;
}

Result<Config> load_config(const std::string& path, const std::vector<std::string>& overrides) {
  Config config;
  config.file = path;
  const std::string file = path.empty() ? "<defaults>" : path;
  toml::table root;
  if (!path.empty()) {
    try {
      root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      const auto& src = e.source();
      std::string where = file + ":" + std::to_string(src.begin.line);
      return Error::invalid_fields({{where, std::string(e.description())}});
    }
  }
  for (const auto& o : overrides)
    if (auto s = apply_override(root, o); !s) return s.error();

  std::vector<ConfigError> errors;
  ConfigReader r(&root, "", file, errors);
  read_server(r.sub(r.table("server"), "server"), config.server);
  read_storage(r.sub(r.table("storage"), "storage"), config.storage_url);
  read_log(r.sub(r.table("log"), "log"), config.log);
  read_conference(r.sub(r.table("conference"), "conference"), config.conference);
  read_access_numbers(r, config.access_numbers);
  read_booking(r.sub(r.table("booking"), "booking"), config.conference, config.booking);
  read_billing(r.sub(r.table("billing"), "billing"), config.booking, config.plans, config.cdr, config.billing);
  read_ivr(r.sub(r.table("ivr"), "ivr"), config.ivr);
  read_media(r.sub(r.table("media"), "media"), config.media);
  read_sip(r.sub(r.table("sip"), "sip"), config.sip);
  read_node(r.sub(r.table("node"), "node"), config.sip, config.server.node_id, config.node);
  read_web(r.sub(r.table("web"), "web"), config.web);
  read_directory(r.sub(r.table("directory"), "directory"), config.directory);
  read_notify(r.sub(r.table("notify"), "notify"), config.notify);
  config.notify.sms.number_rules = config.sip.number_rules;  // national mobiles → E.164
  settle_report_url(config.notify.sms, config.web);          // delivery reports come back to [web]
  config.web.time_zone = config.server.time_zone;
  config.web.recordings_dir = config.media.recordings_dir;  // the only place recordings are served from
  {
    ConfigReader h = r.sub(r.table("history"), "history");
    h.get_int("retention_days", config.web.history_retention_days, 1, 36500);
    h.finish();
  }
  r.finish();

  if (!errors.empty()) {
    std::vector<FieldError> fields;
    for (const auto& e : errors) {
      std::string where = e.file + (e.line > 0 ? ":" + std::to_string(e.line) : "");
      fields.push_back({where, e.key + ": " + e.reason});
    }
    return Error::invalid_fields(std::move(fields));
  }
  return config;
}

}  // namespace confpro::app
