// Local accounts kept in the Store (users table): the Directory used when no LDAP is configured, plus the
// account administration the CLI and the web console need.
// Thread safety: every method may be called from any thread (the Store is thread-safe).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "directory/directory.h"
#include "domain/phone.h"
#include "store/store.h"

namespace confpro::directory {

struct NewUser {
  std::string username;            // required: 1–64 of [A-Za-z0-9._@-]
  std::string password;            // required: at least 8 characters
  std::string display_name;        // default: the username
  std::string email;               // optional
  std::string mobile;              // optional; digits with optional '+'
  std::string role = "organizer";  // "admin" | "organizer"
  std::string phone_account;       // optional: digits, for creating conferences by phone
  std::string phone_pin;           // optional: 4–12 digits; required when phone_account is set
};

class LocalDirectory final : public Directory {
 public:
  explicit LocalDirectory(store::Store& store) : store_(store) {}
  // `clock` stamps created_at of new users (default: the system clock); borrowed, must outlive this.
  LocalDirectory(store::Store& store, const Clock& clock) : store_(store), clock_(&clock) {}

  // How a caller's number is compared with users' mobiles and caller numbers ([[sip.number_rules]], the rules
  // the caller's number was normalised with). Call before use.
  void set_number_rules(std::vector<domain::NumberRule> rules) { number_rules_ = std::move(rules); }

  Result<DirectoryUser> authenticate(const std::string& username, const std::string& password) override;
  Result<DirectoryUser> authenticate_phone(const std::string& account_or_caller_number,
                                           const std::string& pin) override;
  Result<DirectoryUser> find(const std::string& username) override;

  // Validates (kInvalidArgument naming every bad field), hashes and stores. kAlreadyExists for a taken
  // username or phone account.
  Result<store::User> add_user(const NewUser& user);
  // kNotFound; kInvalidArgument for a short password.
  Status set_password(const std::string& username, const std::string& password);
  Status set_phone_credentials(const std::string& username, const std::string& phone_account,
                               const std::string& phone_pin);
  // The console's edit (issue 12 item 13): each given value replaces the stored one. An empty account turns
  // phone access off (the PIN goes with it); an account needs a PIN, given now or stored before. kNotFound;
  // kInvalidArgument naming phone_account/phone_pin; kAlreadyExists for an account another user has.
  Status set_phone_access(const std::string& username, const std::optional<std::string>& phone_account,
                          const std::optional<std::string>& phone_pin);
  // A disabled user can neither log in nor create or authenticate by phone; the account and its bookings
  // stay.
  Status set_disabled(const std::string& username, bool disabled);
  Status remove_user(const std::string& username);

  // First start: when no admin exists, creates `username` as admin with a generated password and returns that
  // password (to print once); nullopt when an admin already exists.
  Result<std::optional<std::string>> ensure_admin(const std::string& username);

 private:
  // The enabled user whose mobile or one of whose caller numbers is `caller_number`; none for a caller that is
  // not a number.
  Result<std::optional<store::User>> user_calling_from(const std::string& caller_number);

  store::Store& store_;
  const Clock* clock_ = nullptr;  // null: SystemClock
  std::vector<domain::NumberRule> number_rules_;
};

DirectoryUser to_directory_user(const store::User& user);

}  // namespace confpro::directory
