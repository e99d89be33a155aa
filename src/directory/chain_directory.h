// The directories of a node in the order the operator gives ([directory] order, e.g. local then ldap): the first
// one that knows a login name answers for it (its "wrong password" is final); one that is down is skipped, and
// when nobody knew the user the answer is "directory unavailable" rather than "invalid username or password".
// Local accounts thus log in while LDAP is down, and the first administrator (local) always gets in.
// An LDAP user is provisioned in the local users table at their first login (source "ldap", no local password),
// and their display name, mail, mobile and role are refreshed from the directory at each login: the console
// lists them, can disable them (a disabled user is refused), and they keep a phone account and phone PIN here
// (LDAP holds none) for authenticate_phone, which checks the PIN locally and the user in LDAP.
// Thread safety: as its members; every call may block on the store and the directory.
#pragma once

#include <string>
#include <vector>

#include "common/time.h"
#include "directory/directory.h"
#include "directory/ldap_directory.h"
#include "directory/local_directory.h"
#include "store/store.h"

namespace confpro::directory {

class ChainDirectory final : public Directory {
 public:
  // `order`: "local" and "ldap", each at most once; "ldap" is skipped when `ldap` is null. Borrowed references
  // must outlive this.
  ChainDirectory(LocalDirectory& local, LdapDirectory* ldap, std::vector<std::string> order, store::Store& store,
                 const Clock& clock);

  Result<DirectoryUser> authenticate(const std::string& username, const std::string& password) override;
  // What authenticate would answer, without provisioning or refreshing anything (the console's "test login").
  Result<DirectoryUser> try_login(const std::string& username, const std::string& password);
  Result<DirectoryUser> authenticate_phone(const std::string& account_or_caller_number,
                                           const std::string& pin) override;
  Result<DirectoryUser> find(const std::string& username) override;

  LocalDirectory& local() { return local_; }
  LdapDirectory* ldap() { return ldap_; }
  const std::vector<std::string>& order() const { return order_; }

 private:
  Result<DirectoryUser> authenticate(const std::string& username, const std::string& password, bool write);
  // The stored row of an LDAP user, created or refreshed from `from_ldap`; refuses a disabled one and a name
  // that belongs to a local account. `write` false: the same answer, nothing created or refreshed (a test
  // login).
  Result<DirectoryUser> provision(const DirectoryUser& from_ldap, bool write);

  LocalDirectory& local_;
  LdapDirectory* ldap_;
  std::vector<std::string> order_;
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace confpro::directory
