#include "directory/ldap_directory.h"

#include <ldap.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "common/log.h"

namespace confpro::directory {

namespace {

constexpr const char* kUnavailableMessage = "directory unavailable";
// Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: membership through nested groups.
constexpr const char* kInChainRule = "1.2.840.113556.1.4.1941";
constexpr int kMaxGroupDepth = 8;

Error bad_credentials() { return invalid_credentials(); }
Error directory_unavailable() { return Error::unavailable(kUnavailableMessage).with_reason("directory_unavailable"); }

auto logger() { return log::get("directory"); }

timeval to_timeval(long long ms) {
  if (ms < 1) ms = 1;
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

// Group DNs are compared without case and without spaces around ',' and '=' ("CN=Staff, DC=x" = "cn=staff,dc=x").
std::string normalize_dn(const std::string& dn) {
  std::string out;
  for (size_t i = 0; i < dn.size(); ++i) {
    char c = dn[i];
    if (c == ' ') {
      const char prev = out.empty() ? ',' : out.back();
      size_t j = i;
      while (j < dn.size() && dn[j] == ' ') ++j;
      const char next = j < dn.size() ? dn[j] : ',';
      if (prev == ',' || prev == '=' || next == ',' || next == '=') {
        i = j - 1;
        continue;
      }
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// A login name the directory can hold: printable ASCII, not too long. Anything else (NUL, control characters,
// non-ASCII bytes) finds nothing, without a search.
bool acceptable_login(const std::string& s) {
  return !s.empty() && s.size() <= 256 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

bool has_filter_characters(const std::string& s) { return s.find_first_of("*()\\") != std::string::npos; }

// What a failed call says, with the server's diagnostic when it gave one.
std::string describe(LDAP* ld, int rc) {
  std::string text = ldap_err2string(rc);
  char* diag = nullptr;
  if (ld != nullptr && ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag) == LDAP_OPT_SUCCESS && diag) {
    if (*diag) text += std::string(" (") + diag + ")";
    ldap_memfree(diag);
  }
  return text;
}

std::vector<std::string> values_of(LDAP* ld, LDAPMessage* entry, const std::string& attr) {
  std::vector<std::string> out;
  if (attr.empty()) return out;
  berval** vals = ldap_get_values_len(ld, entry, attr.c_str());
  if (vals == nullptr) return out;
  for (berval** v = vals; *v != nullptr; ++v) out.emplace_back((*v)->bv_val, (*v)->bv_len);
  ldap_value_free_len(vals);
  return out;
}

std::string first_of(const std::vector<std::string>& v) { return v.empty() ? std::string() : v.front(); }

struct MessageFree {
  void operator()(LDAPMessage* m) const {
    if (m) ldap_msgfree(m);
  }
};
using Message = std::unique_ptr<LDAPMessage, MessageFree>;

}  // namespace

std::string escape_filter_value(const std::string& value) {
  berval in{static_cast<ber_len_t>(value.size()), const_cast<char*>(value.data())};
  berval out{0, nullptr};
  if (ldap_bv2escaped_filter_value(&in, &out) != 0 || out.bv_val == nullptr) return "\\00";  // matches nothing
  std::string escaped(out.bv_val, out.bv_len);
  ber_memfree(out.bv_val);
  return escaped;
}

std::string fill_filter(const std::string& filter, const std::string& value) {
  const std::string escaped = escape_filter_value(value);
  std::string out;
  size_t from = 0;
  for (size_t at; (at = filter.find("{user}", from)) != std::string::npos; from = at + 6) {
    out.append(filter, from, at - from);
    out += escaped;
  }
  out.append(filter, from, std::string::npos);
  return out;
}

// One connection to one configured server (index into options_.uris).
struct LdapDirectory::Conn {
  LDAP* ld = nullptr;
  size_t server = 0;
  ~Conn() {
    if (ld) ldap_unbind_ext_s(ld, nullptr, nullptr);
  }
};

// A user as found by the service account.
struct LdapDirectory::Found {
  std::string dn;
  size_t server = 0;
  DirectoryUser user;
  std::string refusal;  // why this user may not log in ("" = may): in no configured group
};

LdapDirectory::LdapDirectory(LdapOptions options) : options_(std::move(options)) {
  MutexLock lock(mu_);
  for (const auto& uri : options_.uris) servers_.push_back({uri, false, "not contacted yet"});
}

LdapDirectory::~LdapDirectory() = default;

void LdapDirectory::note(size_t server, const std::string& error) {
  MutexLock lock(mu_);
  if (server >= servers_.size()) return;
  servers_[server].reachable = error.empty();
  servers_[server].last_error = error;
}

std::vector<LdapServerStatus> LdapDirectory::status() const {
  MutexLock lock(mu_);
  return servers_;
}

std::unique_ptr<LdapDirectory::Conn> LdapDirectory::take_idle() {
  MutexLock lock(mu_);
  if (idle_.empty()) return nullptr;
  auto c = std::move(idle_.back());
  idle_.pop_back();
  return c;
}

void LdapDirectory::give_back(std::unique_ptr<Conn> c) {
  MutexLock lock(mu_);
  if (static_cast<int>(idle_.size()) < options_.pool_size) idle_.push_back(std::move(c));
  // else: closed by its destructor, outside the pool
}

namespace {

long long left_ms(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
}

}  // namespace

Result<std::unique_ptr<LdapDirectory::Conn>> LdapDirectory::connect(size_t server, bool service_bind,
                                                                    Deadline deadline) {
  const std::string& uri = options_.uris.at(server);
  auto c = std::make_unique<Conn>();
  c->server = server;
  int rc = ldap_initialize(&c->ld, uri.c_str());
  if (rc != LDAP_SUCCESS) return Error::unavailable(uri + ": " + ldap_err2string(rc));
  const int v3 = LDAP_VERSION3;
  ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
  ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
  const timeval network = to_timeval(std::min<long long>(options_.network_timeout_ms, left_ms(deadline)));
  const timeval operation = to_timeval(left_ms(deadline));
  ldap_set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &network);
  ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &operation);
  // TLS (ldaps:// and StartTLS): the certificate must verify against ca_file and match the host; this handle's
  // own TLS context takes these settings (NEWCTX), not the process-wide defaults.
  const int demand = LDAP_OPT_X_TLS_DEMAND;
  ldap_set_option(c->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
  if (!options_.ca_file.empty()) ldap_set_option(c->ld, LDAP_OPT_X_TLS_CACERTFILE, options_.ca_file.c_str());
  const int client = 0;
  ldap_set_option(c->ld, LDAP_OPT_X_TLS_NEWCTX, &client);
  if (options_.start_tls && uri.rfind("ldaps://", 0) != 0) {
    rc = ldap_start_tls_s(c->ld, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return Error::unavailable(uri + ": StartTLS: " + describe(c->ld, rc));
  }
  if (service_bind) {
    berval cred{static_cast<ber_len_t>(options_.bind_password.size()),
                const_cast<char*>(options_.bind_password.data())};
    rc = ldap_sasl_bind_s(c->ld, options_.bind_dn.empty() ? nullptr : options_.bind_dn.c_str(), LDAP_SASL_SIMPLE,
                          &cred, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return Error::unavailable(uri + ": service bind: " + describe(c->ld, rc));
  }
  return c;
}

LdapDirectory::Deadline LdapDirectory::server_deadline(Deadline overall, bool others_remain) const {
  if (!others_remain) return overall;
  return std::min(overall, std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.network_timeout_ms));
}

namespace {

enum class Outcome { kFound, kNone, kFailed };

}  // namespace

Result<LdapDirectory::Found> LdapDirectory::search_user(const std::string& username, Deadline deadline) {
  const std::string filter = fill_filter(options_.user_filter, username);
  std::vector<std::string> names = {options_.login_attribute, options_.display_name_attribute, "cn",
                                    options_.mail_attribute, options_.mobile_attribute};
  names.insert(names.end(), options_.caller_number_attributes.begin(), options_.caller_number_attributes.end());
  if (options_.group_strategy != "recursive") names.push_back(options_.member_of_attribute);
  std::vector<char*> attrs;
  for (auto& n : names)
    if (!n.empty()) attrs.push_back(n.data());
  attrs.push_back(nullptr);

  // One try on `c`: kFailed when the connection or server failed (the caller drops it and goes on).
  auto attempt = [&](Conn& c, Found& found, std::string& error, Deadline until) -> Outcome {
    timeval limit = to_timeval(left_ms(until));
    const timeval op = limit;
    ldap_set_option(c.ld, LDAP_OPT_TIMEOUT, &op);  // a pooled connection keeps its creator's otherwise
    LDAPMessage* raw = nullptr;
    int rc = ldap_search_ext_s(c.ld, options_.base_dn.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), attrs.data(), 0,
                               nullptr, nullptr, &limit, 2, &raw);
    Message res(raw);
    if (rc == LDAP_NO_SUCH_OBJECT) {
      logger()->error("ldap: base_dn '{}' does not exist on {}", options_.base_dn, options_.uris[c.server]);
      return Outcome::kNone;
    }
    if (rc == LDAP_FILTER_ERROR) {
      logger()->error("ldap: user_filter '{}' is not a valid filter", options_.user_filter);
      return Outcome::kNone;
    }
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
      error = options_.uris[c.server] + ": search: " + describe(c.ld, rc);
      return Outcome::kFailed;
    }
    const int count = ldap_count_entries(c.ld, res.get());
    if (count == 0) return Outcome::kNone;
    if (count > 1 || rc == LDAP_SIZELIMIT_EXCEEDED) {
      logger()->warn("ldap: login '{}' matches several entries: refused (make user_filter unique)", username);
      return Outcome::kNone;
    }
    LDAPMessage* entry = ldap_first_entry(c.ld, res.get());
    char* dn = ldap_get_dn(c.ld, entry);
    found.dn = dn ? dn : "";
    ldap_memfree(dn);
    found.server = c.server;
    DirectoryUser& u = found.user;
    u.source = "ldap";
    u.username = first_of(values_of(c.ld, entry, options_.login_attribute));
    if (u.username.empty()) u.username = username;
    u.display_name = first_of(values_of(c.ld, entry, options_.display_name_attribute));
    if (u.display_name.empty()) u.display_name = first_of(values_of(c.ld, entry, "cn"));
    if (u.display_name.empty()) u.display_name = u.username;
    u.email = first_of(values_of(c.ld, entry, options_.mail_attribute));
    u.mobile = first_of(values_of(c.ld, entry, options_.mobile_attribute));
    for (const auto& attribute : options_.caller_number_attributes)
      for (auto& n : values_of(c.ld, entry, attribute)) u.caller_numbers.push_back(std::move(n));
    std::vector<std::string> groups;
    if (options_.group_strategy != "recursive") groups = values_of(c.ld, entry, options_.member_of_attribute);
    if (options_.group_strategy == "in_chain") {
      // One base search on the user per configured group: is the user in it through any chain of groups?
      for (const auto* g : {&options_.admin_group, &options_.organizer_group}) {
        if (g->empty()) continue;
        const std::string f = std::string("(") + options_.member_of_attribute + ":" + kInChainRule +
                              ":=" + escape_filter_value(*g) + ")";
        char no_attrs[] = "1.1";
        char* only[] = {no_attrs, nullptr};
        LDAPMessage* graw = nullptr;
        rc = ldap_search_ext_s(c.ld, found.dn.c_str(), LDAP_SCOPE_BASE, f.c_str(), only, 0, nullptr, nullptr, &limit,
                               1, &graw);
        Message gres(graw);
        if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED && rc != LDAP_INAPPROPRIATE_MATCHING &&
            rc != LDAP_NO_SUCH_OBJECT) {
          error = options_.uris[c.server] + ": group search: " + describe(c.ld, rc);
          return Outcome::kFailed;
        }
        if (rc == LDAP_SUCCESS && ldap_count_entries(c.ld, gres.get()) > 0) groups.push_back(*g);
      }
    } else if (options_.group_strategy == "recursive") {
      // Groups whose member is the user, then groups whose member is one of those, up to kMaxGroupDepth.
      std::set<std::string> seen;
      std::vector<std::string> frontier = {found.dn};
      for (int depth = 0; depth < kMaxGroupDepth && !frontier.empty(); ++depth) {
        std::vector<std::string> next;
        for (const auto& member : frontier) {
          const std::string f = "(&" + options_.group_filter + "(" + options_.member_attribute + "=" +
                                escape_filter_value(member) + "))";
          char no_attrs[] = "1.1";
          char* only[] = {no_attrs, nullptr};
          LDAPMessage* graw = nullptr;
          rc = ldap_search_ext_s(c.ld, options_.base_dn.c_str(), LDAP_SCOPE_SUBTREE, f.c_str(), only, 0, nullptr,
                                 nullptr, &limit, 0, &graw);
          Message gres(graw);
          if (rc != LDAP_SUCCESS) {
            error = options_.uris[c.server] + ": group search: " + describe(c.ld, rc);
            return Outcome::kFailed;
          }
          for (LDAPMessage* e = ldap_first_entry(c.ld, gres.get()); e; e = ldap_next_entry(c.ld, e)) {
            char* gdn = ldap_get_dn(c.ld, e);
            std::string g = gdn ? gdn : "";
            ldap_memfree(gdn);
            if (!g.empty() && seen.insert(normalize_dn(g)).second) {
              groups.push_back(g);
              next.push_back(g);
            }
          }
        }
        frontier = std::move(next);
      }
    }
    u.groups = std::move(groups);
    std::set<std::string> mine;
    for (const auto& g : u.groups) mine.insert(normalize_dn(g));
    if (!options_.admin_group.empty() && mine.count(normalize_dn(options_.admin_group))) {
      u.role = "admin";
    } else if (!options_.organizer_group.empty() && mine.count(normalize_dn(options_.organizer_group))) {
      u.role = "organizer";
    } else {
      found.refusal = "in neither admin_group nor organizer_group";
    }
    return Outcome::kFound;
  };

  // A pooled connection first; when it fails (server restarted, idle timeout), it is dropped and every server
  // is tried in order on a fresh connection.
  std::string last_error;
  auto run = [&](std::unique_ptr<Conn> c, Deadline until) -> std::optional<Result<Found>> {
    Found found;
    std::string error;
    switch (attempt(*c, found, error, until)) {
      case Outcome::kFound:
        note(c->server, "");
        give_back(std::move(c));
        return Result<Found>(std::move(found));
      case Outcome::kNone:
        note(c->server, "");
        give_back(std::move(c));
        return Result<Found>(Error::not_found("no such user"));
      case Outcome::kFailed:
        note(c->server, error);
        last_error = error;
        return std::nullopt;  // `c` is closed here
    }
    return std::nullopt;
  };
  if (auto pooled = take_idle()) {
    if (auto r = run(std::move(pooled), server_deadline(deadline, true))) return std::move(*r);
  }
  for (size_t s = 0; s < options_.uris.size() && left_ms(deadline) > 0; ++s) {
    const Deadline until = server_deadline(deadline, s + 1 < options_.uris.size());
    auto c = connect(s, true, until);
    if (!c) {
      note(s, c.error().message);
      last_error = c.error().message;
      logger()->warn("ldap: {}", c.error().message);
      continue;
    }
    if (auto r = run(std::move(*c), until)) return std::move(*r);
    logger()->warn("ldap: {}", last_error);
  }
  logger()->error("ldap: no directory server answered (last: {})", last_error);
  return directory_unavailable();
}

Result<DirectoryUser> LdapDirectory::authenticate(const std::string& username, const std::string& password) {
  bool known = false;
  return authenticate(username, password, known);
}

Result<DirectoryUser> LdapDirectory::authenticate(const std::string& username, const std::string& password,
                                                  bool& known) {
  known = false;
  if (!acceptable_login(username)) {
    logger()->warn("ldap: login name refused without a search: empty, too long, or not printable ASCII");
    return bad_credentials();
  }
  if (has_filter_characters(username))
    logger()->warn("ldap: login name '{}' holds filter characters; searched escaped", username);
  // Before any bind: Active Directory takes a DN with an empty password as an unauthenticated bind and
  // answers success.
  if (password.empty()) {
    logger()->info("ldap: login of '{}' with an empty password refused", username);
    return bad_credentials();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.operation_timeout_ms);
  auto found = search_user(username, deadline);
  if (!found) {
    if (found.error().code == ErrorCode::kNotFound) {
      logger()->info("ldap: login '{}' not found", username);
      return bad_credentials();
    }
    return found.error();
  }
  known = true;
  // The password, on a fresh connection of its own (a bind changes a connection's identity): the server that
  // found the user first, then the others.
  const size_t n = options_.uris.size();
  std::string last_error;
  for (size_t i = 0; i < n && left_ms(deadline) > 0; ++i) {
    const size_t s = (found->server + i) % n;
    auto c = connect(s, false, server_deadline(deadline, i + 1 < n));
    if (!c) {
      note(s, c.error().message);
      last_error = c.error().message;
      continue;
    }
    berval cred{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
    const int rc =
        ldap_sasl_bind_s((*c)->ld, found->dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    if (rc == LDAP_SUCCESS) {
      if (!found->refusal.empty()) {
        logger()->warn("ldap: '{}' refused: {}", username, found->refusal);
        return bad_credentials();
      }
      return found->user;
    }
    if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_UNWILLING_TO_PERFORM || rc == LDAP_INAPPROPRIATE_AUTH ||
        rc == LDAP_CONSTRAINT_VIOLATION) {
      logger()->info("ldap: '{}': wrong password ({})", username, ldap_err2string(rc));
      return bad_credentials();
    }
    last_error = options_.uris[s] + ": user bind: " + describe((*c)->ld, rc);
    note(s, last_error);
  }
  logger()->error("ldap: password of '{}' not checked, no server answered (last: {})", username, last_error);
  return directory_unavailable();
}

Result<DirectoryUser> LdapDirectory::authenticate_phone(const std::string&, const std::string&) {
  return bad_credentials();
}

Result<DirectoryUser> LdapDirectory::find(const std::string& username) {
  if (!acceptable_login(username)) return Error::not_found("no such user");
  auto found =
      search_user(username, std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.operation_timeout_ms));
  if (!found) return found.error();
  if (!found->refusal.empty()) return Error::not_found("no such user (" + found->refusal + ")");
  return found->user;
}

std::vector<LdapServerStatus> LdapDirectory::probe() {
  for (size_t s = 0; s < options_.uris.size(); ++s) {
    // network_timeout_ms each: a server that accepts connections but never answers is reported, not waited for.
    auto c = connect(s, true, server_deadline(std::chrono::steady_clock::now() +
                                                  std::chrono::milliseconds(options_.operation_timeout_ms),
                                              true));
    note(s, c ? "" : c.error().message);
  }
  return status();
}

}  // namespace confpro::directory
