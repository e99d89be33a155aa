#include "directory/local_directory.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>

#include "directory/password.h"

namespace confpro::directory {

namespace {

Error bad_credentials() { return invalid_credentials(); }

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_username(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' || c == '-';
  });
}

// Each rule's refusal carries its reason and parameters (issue 12 item 10): the console words it.
std::optional<FieldError> check_password(std::string_view p) {
  if (p.size() < 8) return FieldError{"password", "must be at least 8 characters", "too_short", {{"min", 8}}};
  if (p.size() > 1024) return FieldError{"password", "must be at most 1024 characters", "too_long", {{"max", 1024}}};
  return std::nullopt;
}

std::optional<FieldError> check_phone_pin(std::string_view p) {
  if (digits(p) && p.size() >= 4 && p.size() <= 12) return std::nullopt;
  return FieldError{"phone_pin", "must be 4 to 12 digits", "digits_range", {{"min", 4}, {"max", 12}}};
}

FieldError phone_account_digits() { return {"phone_account", "must be digits", "digits_only"}; }
FieldError phone_pin_required() {
  return {"phone_pin", "is required with a phone account", "phone_pin_required"};
}

// Store failures other than "not found" are passed through (kUnavailable), never turned into "bad
// credentials".
template <typename T>
bool is_missing(const Result<T>& r) {
  return !r.ok() && r.error().code == ErrorCode::kNotFound;
}

}  // namespace

DirectoryUser to_directory_user(const store::User& u) {
  DirectoryUser d;
  d.username = u.username;
  d.display_name = u.display_name.empty() ? u.username : u.display_name;
  d.email = u.email;
  d.mobile = u.mobile;
  d.role = u.role;
  d.phone_default_duration_minutes = u.phone_default_duration_minutes;
  d.phone_default_max_participants = u.phone_default_max_participants;
  d.source = u.source;
  return d;
}

Result<DirectoryUser> LocalDirectory::authenticate(const std::string& username, const std::string& password) {
  auto user = store_.find_user(username);
  if (is_missing(user)) {
    verify_password_dummy(password);
    return bad_credentials();
  }
  if (!user.ok()) return user.error();
  const bool good = verify_password(user->password_hash, password);
  if (!good || user->disabled) return bad_credentials();
  return to_directory_user(*user);
}

Result<DirectoryUser> LocalDirectory::authenticate_phone(const std::string& account_or_caller_number,
                                                         const std::string& pin) {
  auto user = store_.find_user_by_phone_account(account_or_caller_number);
  if (is_missing(user) && !account_or_caller_number.empty()) {
    auto by_number = user_calling_from(account_or_caller_number);
    if (!by_number.ok() || by_number->has_value())
      user = by_number.ok() ? Result<store::User>(**by_number) : Result<store::User>(by_number.error());
  }
  if (is_missing(user) || (user.ok() && user->phone_pin_hash.empty())) {
    verify_password_dummy(pin);
    return bad_credentials();
  }
  if (!user.ok()) return user.error();
  const bool good = verify_password(user->phone_pin_hash, pin);
  if (!good || user->disabled) return bad_credentials();
  return to_directory_user(*user);
}

Result<std::optional<store::User>> LocalDirectory::user_calling_from(const std::string& caller_number) {
  // The store narrows by the number's last digits (its stored forms may carry a country code or not); the
  // candidates are then compared once normalised with the operator's rules.
  const std::string normal = domain::normalize_phone(caller_number, number_rules_);
  if (normal.empty() || normal.find_first_not_of("0123456789") != std::string::npos)
    return std::optional<store::User>{};  // "anonymous", a SIP name: not a number
  const std::string tail = normal.substr(normal.size() > 8 ? normal.size() - 8 : 0);
  auto candidates = store_.find_users_by_number(tail);
  if (!candidates.ok()) return candidates.error();
  for (const auto& u : *candidates) {
    if (domain::same_phone(u.mobile, normal, number_rules_)) return std::optional<store::User>{u};
    std::istringstream others(u.caller_numbers);
    for (std::string n; others >> n;)
      if (domain::same_phone(n, normal, number_rules_)) return std::optional<store::User>{u};
  }
  return std::optional<store::User>{};
}

Result<DirectoryUser> LocalDirectory::find(const std::string& username) {
  auto user = store_.find_user(username);
  if (!user.ok()) return user.error();
  return to_directory_user(*user);
}

Result<store::User> LocalDirectory::add_user(const NewUser& n) {
  std::vector<FieldError> errors;
  if (!valid_username(n.username)) errors.push_back({"username", "must be 1–64 of letters, digits, . _ @ -", "username_invalid", {{"max", 64}}});
  if (auto e = check_password(n.password)) errors.push_back(*e);
  if (n.role != "admin" && n.role != "organizer") errors.push_back({"role", "must be admin or organizer", "one_of", {{"allowed", "admin, organizer"}}});
  if (!n.mobile.empty()) {
    std::string_view m = n.mobile;
    if (m.starts_with('+')) m.remove_prefix(1);
    if (!digits(m)) errors.push_back({"mobile", "must be digits with an optional leading +", "phone_digits_only"});
  }
  if (!n.email.empty() && n.email.find('@') == std::string::npos)
    errors.push_back({"email", "is not an e-mail address", "email_invalid"});
  if (!n.phone_account.empty() && !digits(n.phone_account)) errors.push_back(phone_account_digits());
  if (!n.phone_account.empty() && n.phone_pin.empty()) errors.push_back(phone_pin_required());
  if (!n.phone_pin.empty()) {
    if (auto e = check_phone_pin(n.phone_pin)) errors.push_back(*e);
  }
  if (!errors.empty()) return Error::invalid_fields(std::move(errors));

  store::User u;
  u.username = n.username;
  u.display_name = n.display_name.empty() ? n.username : n.display_name;
  u.email = n.email;
  u.mobile = n.mobile;
  u.role = n.role;
  u.phone_account = n.phone_account;
  auto hash = hash_password(n.password);
  if (!hash.ok()) return hash.error();
  u.password_hash = *hash;
  if (!n.phone_pin.empty()) {
    auto pin_hash = hash_password(n.phone_pin);
    if (!pin_hash.ok()) return pin_hash.error();
    u.phone_pin_hash = *pin_hash;
  }
  u.created_at = clock_ != nullptr ? clock_->now() : SystemClock().now();
  return store_.add_user(u);
}

Status LocalDirectory::set_password(const std::string& username, const std::string& password) {
  if (auto e = check_password(password)) return Error::invalid_fields({*e});
  auto user = store_.find_user(username);
  if (!user.ok()) return user.error();
  if (user->source != "local") {
    return Error::precondition("the password of a directory user is changed in the directory")
        .with_reason("external_directory");
  }
  auto hash = hash_password(password);
  if (!hash.ok()) return hash.error();
  user->password_hash = *hash;
  return store_.update_user(*user);
}

Status LocalDirectory::set_phone_credentials(const std::string& username, const std::string& phone_account,
                                             const std::string& phone_pin) {
  std::vector<FieldError> errors;
  if (!digits(phone_account)) errors.push_back(phone_account_digits());
  if (auto e = check_phone_pin(phone_pin)) errors.push_back(*e);
  if (!errors.empty()) return Error::invalid_fields(std::move(errors));
  auto user = store_.find_user(username);
  if (!user.ok()) return user.error();
  auto hash = hash_password(phone_pin);
  if (!hash.ok()) return hash.error();
  user->phone_account = phone_account;
  user->phone_pin_hash = *hash;
  return store_.update_user(*user);
}

Status LocalDirectory::set_phone_access(const std::string& username,
                                        const std::optional<std::string>& phone_account,
                                        const std::optional<std::string>& phone_pin) {
  auto user = store_.find_user(username);
  if (!user.ok()) return user.error();
  const std::string account = phone_account ? *phone_account : user->phone_account;
  const bool new_pin = phone_pin && !phone_pin->empty();
  std::vector<FieldError> errors;
  if (!account.empty() && !digits(account)) errors.push_back(phone_account_digits());
  if (new_pin) {
    if (auto e = check_phone_pin(*phone_pin)) errors.push_back(*e);
  }
  if (account.empty() && new_pin)
    errors.push_back({"phone_account", "is required with a phone PIN", "phone_account_required"});
  if (!account.empty() && !new_pin && user->phone_pin_hash.empty()) errors.push_back(phone_pin_required());
  if (!errors.empty()) return Error::invalid_fields(std::move(errors));
  user->phone_account = account;
  if (account.empty()) {
    user->phone_pin_hash.clear();
  } else if (new_pin) {
    auto hash = hash_password(*phone_pin);
    if (!hash.ok()) return hash.error();
    user->phone_pin_hash = *hash;
  }
  return store_.update_user(*user);
}

Status LocalDirectory::set_disabled(const std::string& username, bool disabled) {
  auto user = store_.find_user(username);
  if (!user.ok()) return user.error();
  user->disabled = disabled;
  return store_.update_user(*user);
}

Status LocalDirectory::remove_user(const std::string& username) {
  auto user = store_.find_user(username);
  if (!user.ok()) return user.error();
  return store_.delete_user(user->id);
}

Result<std::optional<std::string>> LocalDirectory::ensure_admin(const std::string& username) {
  auto users = store_.list_users();
  if (!users.ok()) return users.error();
  for (const auto& u : *users) {
    // A local one: an LDAP administrator cannot log in while the directory is down.
    if (u.role == "admin" && !u.disabled && u.source == "local") return std::optional<std::string>{};
  }
  NewUser admin;
  admin.username = username;
  admin.password = generate_password();
  admin.role = "admin";
  admin.display_name = "Administrator";
  if (auto existing = store_.find_user(username); existing.ok()) {
    // The name exists but is not an enabled admin: promote it with a fresh password.
    auto hash = hash_password(admin.password);
    if (!hash.ok()) return hash.error();
    existing->role = "admin";
    existing->disabled = false;
    existing->source = "local";
    existing->password_hash = *hash;
    if (auto st = store_.update_user(*existing); !st.ok()) return st.error();
    return std::optional<std::string>{admin.password};
  }
  auto added = add_user(admin);
  if (!added.ok()) return added.error();
  return std::optional<std::string>{admin.password};
}

}  // namespace confpro::directory
