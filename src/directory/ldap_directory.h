// An LDAP directory (OpenLDAP, Active Directory) behind directory::Directory (issue 14 item 1).
// Login is search-then-bind: a service account (bind_dn) searches base_dn with user_filter, `{user}` replaced by
// the RFC 4515-escaped login name (no DN is ever built from input), reads the mapped attributes and the groups,
// then the user's password is checked by a bind as the found DN on a fresh connection. An empty password is
// refused before any bind (Active Directory takes it as an unauthenticated bind and says yes).
// Connections: LDAPv3, referrals off, a connect timeout and an operation timeout, StartTLS or ldaps:// with the
// CA verified (a certificate that does not verify is refused); the URIs are tried in order (fail-over); a small
// pool keeps service-bound connections for searches, and a connection that failed is dropped, so a restarted
// server is reached again by the next call.
// Roles: a user in admin_group is an administrator, else in organizer_group an organizer, else refused (the
// same "invalid username or password" as a wrong password; the reason is logged).
// Thread safety: every method may be called from any thread; each call blocks (up to the timeouts per server):
// never call them on the control loop or on the web server's event loop.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/thread_annotations.h"
#include "directory/directory.h"

namespace confpro::directory {

struct LdapOptions {
  std::vector<std::string> uris;  // "ldap://host:389", "ldaps://host:636"; tried in order
  bool start_tls = false;         // StartTLS on ldap:// URIs (required then: no clear-text fallback)
  std::string ca_file;            // PEM CA(s) the server's certificate must verify against ("" = system's)
  std::string bind_dn;            // the service account ("" = anonymous search)
  std::string bind_password;
  std::string base_dn;                                             // where users are searched (subtree)
  std::string user_filter = "(&(objectClass=inetOrgPerson)(uid={user}))";  // {user}: the escaped login
  std::string admin_group;      // group DN whose members are administrators
  std::string organizer_group;  // group DN whose members are organizers
  // How a user's groups are found: "memberof" (the user's memberOf attribute; nested groups where the server
  // expands them, e.g. slapd's dynlist), "in_chain" (Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: nested
  // groups, one search per configured group), "recursive" (groups whose member is the user, then groups
  // holding those, searched by this client; any server).
  std::string group_strategy = "memberof";
  std::string login_attribute = "uid";
  std::string display_name_attribute = "displayName";  // falls back to cn, then the login
  std::string mail_attribute = "mail";
  std::string mobile_attribute = "mobile";
  // Numbers the user calls from, recognised when they call to create a conference (I3): every value of each
  // attribute (e.g. Active Directory's ipPhone, otherTelephone) [telephoneNumber]
  std::vector<std::string> caller_number_attributes = {"telephoneNumber"};
  std::string member_of_attribute = "memberOf";
  std::string group_filter = "(|(objectClass=groupOfNames)(objectClass=group))";  // "recursive" only
  std::string member_attribute = "member";                                        // "recursive" only
  // A login waits at most operation_timeout_ms in all for the directory (search, groups, password), and each
  // connect at most network_timeout_ms; past them the answer is "directory unavailable".
  int network_timeout_ms = 3000;
  int operation_timeout_ms = 5000;
  int pool_size = 4;                // idle search connections kept
};

// One configured server as last seen (the console's directory status).
struct LdapServerStatus {
  std::string uri;
  bool reachable = false;
  std::string last_error;  // "" when the last attempt worked
};

class LdapDirectory final : public Directory {
 public:
  explicit LdapDirectory(LdapOptions options);
  ~LdapDirectory() override;
  LdapDirectory(const LdapDirectory&) = delete;
  LdapDirectory& operator=(const LdapDirectory&) = delete;

  // Errors: kUnauthenticated "invalid username or password" (unknown, wrong password, empty password, in no
  // group); kUnavailable "directory unavailable" when no server answers within the timeouts.
  Result<DirectoryUser> authenticate(const std::string& username, const std::string& password) override;
  // LDAP holds no phone PINs: always kUnauthenticated (the chain asks the local store; chain_directory.h).
  Result<DirectoryUser> authenticate_phone(const std::string& account_or_caller_number,
                                           const std::string& pin) override;
  // The user as the directory has them now (groups and role). kNotFound also for a user in no group.
  Result<DirectoryUser> find(const std::string& username) override;

  // As authenticate; `known` is set when the directory has this login name (the answer is then final for a
  // chain, wrong password or not).
  Result<DirectoryUser> authenticate(const std::string& username, const std::string& password, bool& known);

  // Connects to (and binds as the service account on) every configured server now; their state.
  std::vector<LdapServerStatus> probe();
  // Every configured server as last seen by a login, a search or a probe.
  std::vector<LdapServerStatus> status() const;

  const LdapOptions& options() const { return options_; }

 private:
  struct Conn;
  struct Found;
  using Deadline = std::chrono::steady_clock::time_point;
  Result<Found> search_user(const std::string& username, Deadline deadline);
  // A connection to options_.uris[server] (StartTLS done), bound as the service account when `service_bind`;
  // its operations wait until `deadline` at most.
  Result<std::unique_ptr<Conn>> connect(size_t server, bool service_bind, Deadline deadline);
  // How long one server may take within `overall`: network_timeout_ms at most while other servers remain to be
  // tried (a server that accepts connections but never answers does not eat the whole login), all that is left
  // for the last one.
  Deadline server_deadline(Deadline overall, bool others_remain) const;
  std::unique_ptr<Conn> take_idle() EXCLUDES(mu_);
  void give_back(std::unique_ptr<Conn> c) EXCLUDES(mu_);
  void note(size_t server, const std::string& error) EXCLUDES(mu_);
  Result<DirectoryUser> to_user(const Found& f, Conn& conn, const std::string& username);

  const LdapOptions options_;
  mutable Mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_ GUARDED_BY(mu_);
  std::vector<LdapServerStatus> servers_ GUARDED_BY(mu_);
};

// RFC 4515 escaping of one assertion value (`*`, `(`, `)`, `\`, NUL and non-ASCII bytes as \xx).
std::string escape_filter_value(const std::string& value);
// `filter` with each "{user}" replaced by escape_filter_value(value).
std::string fill_filter(const std::string& filter, const std::string& value);

}  // namespace confpro::directory
