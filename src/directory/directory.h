// Who a user is and what they may do (FEATURES.md S6, I3): web login, phone authentication for creating
// conferences, lookup. Local accounts over the Store now (directory/local_directory.h); LDAP plugs in later
// behind the same interface.
// Thread safety: implementations are safe to call from any thread. authenticate* are slow on purpose
// (argon2id, ~50–100 ms): never call them on the control loop.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace confpro::directory {

struct DirectoryUser {
  std::string username;
  std::string display_name;
  std::string email;                       // "" when none
  std::string mobile;                      // "" when none
  std::vector<std::string> caller_numbers;  // other numbers the user calls from (LDAP caller-number attributes)
  std::string role = "organizer";          // "admin" | "organizer"
  int phone_default_duration_minutes = 0;  // defaults for bookings created by phone; 0 = configured default
  int phone_default_max_participants = 0;
  // Where the account lives ("local" | "ldap") and the directory groups it belongs to (LDAP group DNs; empty
  // for local accounts): booking categories (B7) are decided from these.
  std::string source = "local";
  std::vector<std::string> groups;
  bool is_admin() const { return role == "admin"; }
  bool operator==(const DirectoryUser&) const = default;
};

// The one refusal of a login, whatever the cause (unknown user, wrong password, disabled, in no group).
inline Error invalid_credentials() { return Error{ErrorCode::kUnauthenticated, "invalid username or password", {}}; }

class Directory {
 public:
  virtual ~Directory() = default;

  // Web/CLI login. Errors: kUnauthenticated "invalid username or password" for an unknown user, a wrong
  // password and a disabled account alike (same message, same cost); kUnavailable when the backend is down.
  virtual Result<DirectoryUser> authenticate(const std::string& username, const std::string& password) = 0;

  // Phone login (I3): `account_or_caller_number` is the phone account the caller keyed in, or the caller's
  // number (matched against phone accounts, then mobiles); `pin` the numeric phone PIN. Errors as
  // authenticate.
  virtual Result<DirectoryUser> authenticate_phone(const std::string& account_or_caller_number,
                                                   const std::string& pin) = 0;

  // Errors: kNotFound; kUnavailable.
  virtual Result<DirectoryUser> find(const std::string& username) = 0;
};

}  // namespace confpro::directory
