// Field checks and validate_draft (booking_rules.h).
#include <algorithm>
#include <cctype>
#include <string>

#include "domain/booking_rules.h"
#include "domain/phone.h"

namespace confpro::domain {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Number of UTF-8 code points, or -1 when `s` is not valid UTF-8 or holds a control character.
int printable_length(std::string_view s) {
  int count = 0;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return -1;
    }
    if (len == 1 && (c < 0x20 || c == 0x7F)) return -1;
    if (len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) return -1;  // C1 controls
    i += len;
    ++count;
  }
  return count;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_run(std::string_view pin, int step) {
  for (size_t i = 1; i < pin.size(); ++i) {
    if ((pin[i - 1] - '0' + step + 10) % 10 != pin[i] - '0') return false;
  }
  return true;
}

bool is_repeated_block(std::string_view pin) {
  for (size_t block = 1; block <= pin.size() / 2; ++block) {
    if (pin.size() % block != 0) continue;
    bool repeats = true;
    for (size_t i = block; i < pin.size() && repeats; ++i) repeats = pin[i] == pin[i - block];
    if (repeats) return true;
  }
  return false;
}

bool valid_username(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' || c == '-';
  });
}

}  // namespace

bool is_trivial_pin(std::string_view pin) {
  if (pin.size() < 2) return true;
  if (is_run(pin, 0) || is_run(pin, 1) || is_run(pin, -1)) return true;
  if (is_repeated_block(pin)) return true;
  if (pin.size() == 4 && pin[0] == pin[3] && pin[1] == pin[2]) return true;
  return false;
}

namespace {

// A rule a value breaks: the English fragment for a person, its stable reason code and the values it names
// (the API sends all three, FieldError); empty when the value is fine.
struct Rule {
  std::string message;
  std::string reason;
  ErrorParams params;
  bool empty() const { return message.empty(); }
};

Rule name_rule(std::string_view name) {
  std::string_view t = trim(name);
  if (t.empty()) return {"is required", "required", {}};
  int n = printable_length(t);
  if (n < 0) return {"must contain printable characters only", "printable_only", {}};
  if (n > kMaxNameLength) {
    return {"must be at most " + std::to_string(kMaxNameLength) + " characters",
            "too_long",
            {{"max", kMaxNameLength}}};
  }
  return {};
}

Rule digits_rule(std::string_view digits, int length, const char* reason) {
  if (!all_digits(digits)) return {"must contain digits only", "digits_only", {}};
  if (static_cast<int>(digits.size()) != length) {
    return {"must be exactly " + std::to_string(length) + " digits", reason, {{"length", length}}};
  }
  return {};
}

Rule number_rule(std::string_view number, const ConferenceLimits& limits) {
  Rule r = digits_rule(number, limits.number_length, "number_length");
  if (r.empty() && number[0] == '0') return {"must not start with 0", "leading_zero", {}};
  return r;
}

Rule pin_rule(std::string_view pin, const ConferenceLimits& limits) {
  Rule r = digits_rule(pin, limits.pin_length, "pin_length");
  if (r.empty() && is_trivial_pin(pin)) {
    return {
        "is too easy to guess (repeated digits, a run like 1234, or a repeated pattern)", "pin_trivial", {}};
  }
  return r;
}

Rule email_rule(std::string_view email) {
  const Rule invalid{"is not a valid e-mail address", "email_invalid", {}};
  email = trim(email);
  if (email.size() > 254) return {"is too long", "too_long", {{"max", 254}}};
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return invalid;
  std::string_view local = email.substr(0, at), domain = email.substr(at + 1);
  const std::string_view local_extra = ".!#$%&'*+/=?^_`{|}~-";
  for (char c : local) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && local_extra.find(c) == std::string_view::npos)
      return invalid;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return invalid;
  if (domain.find('.') == std::string_view::npos)
    return {"is not a valid e-mail address (domain without a dot)", "email_invalid", {}};
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return invalid;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return invalid;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {};
}

Rule phone_rule(std::string_view phone) {
  std::string_view t = trim(phone);
  for (char c : t) {
    if (!(c >= '0' && c <= '9') && c != '+' && c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return {"must contain digits only (with an optional leading +)", "phone_digits_only", {}};
    }
  }
  if (t.find('+', 1) != std::string_view::npos)
    return {"may contain '+' only at the start", "phone_plus_position", {}};
  std::string n = tidy_phone(t);
  size_t digits = n.size() - (n.starts_with('+') ? 1 : 0);
  if (digits < 3 || digits > 20)
    return {"must have 3 to 20 digits", "phone_length", {{"min", 3}, {"max", 20}}};
  return {};
}

}  // namespace

std::string check_name(std::string_view name) {
  return name_rule(name).message;
}
std::string check_number(std::string_view number, const ConferenceLimits& limits) {
  return number_rule(number, limits).message;
}
std::string check_pin(std::string_view pin, const ConferenceLimits& limits) {
  return pin_rule(pin, limits).message;
}
std::string check_email(std::string_view email) {
  return email_rule(email).message;
}
std::string check_phone(std::string_view phone) {
  return phone_rule(phone).message;
}

std::vector<FieldError> validate_draft(const BookingDraft& d, const ConferenceLimits& limits, bool creating,
                                       TimePoint now) {
  std::vector<FieldError> errors;
  auto add = [&errors](std::string field, Rule rule) {
    if (!rule.empty())
      errors.emplace_back(std::move(field), std::move(rule.message), std::move(rule.reason),
                          std::move(rule.params));
  };
  const Rule required{"is required", "required", {}};
  auto range = [&add](const char* field, const std::optional<int>& v, int lo, int hi, const char* unit) {
    if (v && (*v < lo || *v > hi)) {
      add(field, {"must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " " + unit,
                  "range",
                  {{"min", lo}, {"max", hi}}});
    }
  };
  auto cannot_change = [] { return Rule{"cannot be changed", "not_editable", {}}; };

  if (d.name)
    add("name", name_rule(*d.name));
  else if (creating)
    add("name", required);
  if (d.owner) {
    if (trim(*d.owner).empty())
      add("owner", required);
    else if (!valid_username(*d.owner))
      add("owner",
          {"must be a username (letters, digits, . _ @ -; at most 64)", "username_invalid", {{"max", 64}}});
  } else if (creating) {
    add("owner", required);
  }
  const Rule pins_equal{"must differ from the user PIN", "pins_equal", {}};
  if (d.number) add("number", number_rule(*d.number, limits));
  if (d.user_pin) add("user_pin", pin_rule(*d.user_pin, limits));
  if (d.moderator_pin) add("moderator_pin", pin_rule(*d.moderator_pin, limits));
  if (d.user_pin && d.moderator_pin && *d.user_pin == *d.moderator_pin) add("moderator_pin", pins_equal);
  range("duration_minutes", d.duration_minutes, limits.min_duration_minutes, limits.max_duration_minutes,
        "minutes");
  range("validity_days", d.validity_days, 1, limits.max_validity_days, "days");
  range("max_participants", d.max_participants, kMinParticipants, limits.max_participants, "participants");
  if (d.language && !language_from_string(*d.language))
    add("language", {"must be fr or en", "one_of", {{"allowed", "fr, en"}}});
  if (d.join_policy && !join_policy_from_string(*d.join_policy))
    add("join_policy", {"must be pin or allow-list", "one_of", {{"allowed", "pin, allow-list"}}});
  if (d.valid_from && creating) {
    int days = d.validity_days.value_or(limits.default_validity_days);
    if (*d.valid_from + std::chrono::days{days} <= now) {
      add("valid_from", {"the validity window would already have ended", "window_ended", {}});
    }
  }
  if (d.created_via) {
    if (!creating)
      add("created_via", cannot_change());
    else if (*d.created_via != "web" && *d.created_via != "phone" && *d.created_via != "cli" &&
             *d.created_via != "api")
      add("created_via", {"must be web, phone, cli or api", "one_of", {{"allowed", "web, phone, cli, api"}}});
  }
  if (d.access_number) {
    if (!creating)
      add("access_number", cannot_change());
    else if (!d.access_number->empty() && !all_digits(*d.access_number))
      add("access_number", {"must contain digits only", "digits_only", {}});
  }
  if (d.invitees) {
    if (d.invitees->size() > 1000)
      add("invitees", {"must hold at most 1000 people", "too_many", {{"max", 1000}}});
    for (size_t i = 0; i < d.invitees->size() && i < 1000; ++i) {
      const Invitee& inv = (*d.invitees)[i];
      std::string prefix = "invitees[" + std::to_string(i) + "].";
      if (inv.email.empty() && inv.phone.empty())
        add(prefix + "email", {"an e-mail or a phone is required", "contact_required", {}});
      if (!inv.email.empty()) add(prefix + "email", email_rule(inv.email));
      if (!inv.phone.empty()) add(prefix + "phone", phone_rule(inv.phone));
      if (!inv.personal_pin.empty()) {
        Rule rule = pin_rule(inv.personal_pin, limits);
        if (rule.empty() && ((d.user_pin && *d.user_pin == inv.personal_pin) ||
                             (d.moderator_pin && *d.moderator_pin == inv.personal_pin))) {
          rule = {"must differ from the user and moderator PINs", "pin_reused", {}};
        }
        for (size_t j = 0; j < i && rule.empty(); ++j) {
          if ((*d.invitees)[j].personal_pin == inv.personal_pin)
            rule = {"must differ from other invitees' PINs", "pin_duplicate", {}};
        }
        add(prefix + "personal_pin", rule);
      }
    }
  }
  return errors;
}

}  // namespace confpro::domain
