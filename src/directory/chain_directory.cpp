#include "directory/chain_directory.h"

#include "common/log.h"
#include "directory/password.h"
#include "domain/phone.h"

namespace confpro::directory {

namespace {

Error bad_credentials() { return invalid_credentials(); }

auto logger() { return log::get("directory"); }

bool is_missing(const Error& e) { return e.code == ErrorCode::kNotFound; }

}  // namespace

ChainDirectory::ChainDirectory(LocalDirectory& local, LdapDirectory* ldap, std::vector<std::string> order,
                               store::Store& store, const Clock& clock)
    : local_(local), ldap_(ldap), order_(std::move(order)), store_(store), clock_(clock) {}

Result<DirectoryUser> ChainDirectory::authenticate(const std::string& username, const std::string& password) {
  return authenticate(username, password, true);
}

Result<DirectoryUser> ChainDirectory::try_login(const std::string& username, const std::string& password) {
  return authenticate(username, password, false);
}

Result<DirectoryUser> ChainDirectory::authenticate(const std::string& username, const std::string& password,
                                                   bool write) {
  std::optional<Error> down;
  for (const auto& name : order_) {
    if (name == "local") {
      auto stored = store_.find_user(username);
      if (stored.ok()) {
        if (stored->source == "local") return local_.authenticate(username, password);
        continue;  // an LDAP user: no local password; the directory answers
      }
      if (!is_missing(stored.error())) return stored.error();
    } else if (name == "ldap" && ldap_ != nullptr) {
      bool known = false;
      auto user = ldap_->authenticate(username, password, known);
      if (user.ok()) return provision(*user, write);
      if (user.error().code == ErrorCode::kUnavailable) {
        down = user.error();
        continue;
      }
      if (known) return user.error();
    }
  }
  if (down) return *down;  // nobody who answered knew the user, and a directory that might did not answer
  verify_password_dummy(password);  // an unknown user costs what a wrong password does
  return bad_credentials();
}

namespace {

// The stored form of a directory user's caller numbers: tidied ("+33 1 23" → "+33123"), space-separated, at
// most 10 (a user with more is unusual and each is compared on every call from an unknown number).
std::string tidy_numbers(const std::vector<std::string>& numbers) {
  std::string out;
  int kept = 0;
  for (const auto& n : numbers) {
    const std::string tidy = domain::tidy_phone(n);
    if (tidy.empty() || kept == 10) continue;
    out += (out.empty() ? "" : " ") + tidy;
    ++kept;
  }
  return out;
}

// The stored row's fields the directory owns, refreshed at each login.
void take_from_directory(store::User& u, const DirectoryUser& from_ldap) {
  u.display_name = from_ldap.display_name;
  u.email = from_ldap.email;
  u.mobile = domain::tidy_phone(from_ldap.mobile);
  u.caller_numbers = tidy_numbers(from_ldap.caller_numbers);
  u.role = from_ldap.role;
}

}  // namespace

Result<DirectoryUser> ChainDirectory::provision(const DirectoryUser& from_ldap, bool write) {
  auto stored = store_.find_user(from_ldap.username);
  if (!stored.ok() && !is_missing(stored.error())) return stored.error();
  DirectoryUser out = from_ldap;
  if (!stored.ok()) {
    if (!write) return out;
    store::User u;
    u.username = from_ldap.username;
    take_from_directory(u, from_ldap);
    u.source = "ldap";
    u.created_at = clock_.now();
    auto added = store_.add_user(u);
    if (!added.ok() && added.error().code != ErrorCode::kAlreadyExists) return added.error();
    if (!added.ok()) return provision(from_ldap, write);  // provisioned meanwhile by a concurrent login
    logger()->info("ldap user '{}' provisioned as {} (first login)", u.username, u.role);
    return out;
  }
  if (stored->source != "ldap") {
    logger()->warn("ldap user '{}' refused: a local account has that name", from_ldap.username);
    return bad_credentials();
  }
  if (stored->disabled) {
    logger()->info("ldap user '{}' refused: disabled here", from_ldap.username);
    return bad_credentials();
  }
  store::User u = *stored;
  take_from_directory(u, from_ldap);
  if (write && !(u == *stored)) {
    if (auto st = store_.update_user(u); !st.ok()) return st.error();
  }
  out.phone_default_duration_minutes = u.phone_default_duration_minutes;
  out.phone_default_max_participants = u.phone_default_max_participants;
  return out;
}

Result<DirectoryUser> ChainDirectory::authenticate_phone(const std::string& account_or_caller_number,
                                                         const std::string& pin) {
  auto user = local_.authenticate_phone(account_or_caller_number, pin);
  if (!user.ok() || user->source != "ldap") return user;
  // The PIN is ours; whether the person is still in the directory, and in which groups, is the directory's.
  if (ldap_ == nullptr) {
    logger()->warn("ldap user '{}' refused on the phone: no LDAP directory configured", user->username);
    return bad_credentials();
  }
  auto now = ldap_->find(user->username);
  if (!now.ok()) {
    if (is_missing(now.error())) {
      logger()->info("ldap user '{}' refused on the phone: {}", user->username, now.error().message);
      return bad_credentials();
    }
    return now.error();
  }
  return provision(*now, true);
}

Result<DirectoryUser> ChainDirectory::find(const std::string& username) {
  auto stored = store_.find_user(username);
  if (stored.ok() && stored->source == "local") return to_directory_user(*stored);
  if (!stored.ok() && !is_missing(stored.error())) return stored.error();
  if (ldap_ == nullptr) return stored.ok() ? Result<DirectoryUser>(to_directory_user(*stored)) : stored.error();
  auto now = ldap_->find(username);
  if (!now.ok()) return now.error();
  if (stored.ok()) {
    now->phone_default_duration_minutes = stored->phone_default_duration_minutes;
    now->phone_default_max_participants = stored->phone_default_max_participants;
  }
  return now;
}

}  // namespace confpro::directory
