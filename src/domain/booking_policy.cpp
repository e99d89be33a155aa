// Booking categories and the booking decision (booking_policy.h).
#include "domain/booking_policy.h"

#include <algorithm>
#include <cctype>

namespace confpro::domain {

namespace {

// A DN folded for comparison: ASCII letters lower-cased, spaces around ',' '=' and at the ends dropped
// ("CN=Staff, OU=Groups" == "cn=staff,ou=groups").
std::string fold_dn(std::string_view dn) {
  std::string out;
  for (char ch : dn) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (c == ' ' && (out.empty() || out.back() == ',' || out.back() == '=')) continue;
    if ((c == ',' || c == '=') && !out.empty()) {
      while (!out.empty() && out.back() == ' ') out.pop_back();
    }
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool in_groups(const std::vector<std::string>& category_groups, const std::vector<std::string>& user_groups) {
  for (const auto& g : category_groups) {
    const std::string folded = fold_dn(g);
    for (const auto& u : user_groups)
      if (fold_dn(u) == folded) return true;
  }
  return false;
}

int narrowed(int category_max, int global_max) {
  return category_max > 0 ? std::min(category_max, global_max) : global_max;
}

Decision refused(const std::string& category, std::string reason, std::string message, ErrorParams params = {}) {
  Decision d;
  d.kind = Decision::Kind::kRefused;
  d.category = category;
  d.reason = std::move(reason);
  d.message = std::move(message);
  d.params = std::move(params);
  d.params.emplace("category", category);
  return d;
}

}  // namespace

const char* to_string(BookingMode m) {
  switch (m) {
    case BookingMode::kFree: return "free";
    case BookingMode::kRefused: return "refused";
    case BookingMode::kBilled: return "billed";
  }
  return "free";
}

std::optional<BookingMode> booking_mode_from_string(std::string_view s) {
  if (s == "free") return BookingMode::kFree;
  if (s == "refused") return BookingMode::kRefused;
  if (s == "billed") return BookingMode::kBilled;
  return std::nullopt;
}

BookingCategory builtin_default_category() {
  BookingCategory c;
  c.name = "default";
  c.members.everyone = true;
  return c;
}

BookingCategory no_category() {
  BookingCategory c;
  c.name = "none";
  c.booking = BookingMode::kRefused;
  c.recording = false;
  return c;
}

BookingCategory category_of(const BookingPolicy& policy, const Requester& who) {
  if (policy.categories.empty()) return builtin_default_category();
  for (const auto& c : policy.categories) {
    const auto& users = c.members.users;
    if (std::find(users.begin(), users.end(), who.username) != users.end()) return c;
  }
  for (const auto& c : policy.categories)
    if (in_groups(c.members.groups, who.groups)) return c;
  for (const auto& c : policy.categories)
    if (c.members.everyone) return c;
  for (const auto& c : policy.categories)
    if (!policy.default_category.empty() && c.name == policy.default_category) return c;
  return no_category();
}

bool member_of(const std::vector<std::string>& members, const Requester& who) {
  for (const auto& m : members) {
    if (m.find('=') == std::string::npos) {
      if (m == who.username) return true;
    } else if (in_groups({m}, who.groups)) {
      return true;
    }
  }
  return false;
}

Result<std::vector<std::string>> account_members(const std::vector<std::string>& entries) {
  constexpr std::size_t kMaxEntries = 100, kMaxLength = 200;
  if (entries.size() > kMaxEntries)
    return Error::invalid("members", "at most " + std::to_string(kMaxEntries) + " members", "too_many");
  std::vector<std::string> out;
  for (const auto& raw : entries) {
    const auto first = raw.find_first_not_of(' ');
    const std::string e = first == std::string::npos ? "" : raw.substr(first, raw.find_last_not_of(' ') - first + 1);
    const auto bad = [&](const std::string& why) {
      return Error::invalid("members", "'" + e.substr(0, 60) + "': " + why, "bad_member", {{"member", e}});
    };
    if (e.empty()) return Error::invalid("members", "an empty member: give a username or a group DN", "bad_member");
    if (e.size() > kMaxLength) return bad("longer than " + std::to_string(kMaxLength) + " characters");
    if (std::any_of(e.begin(), e.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
      return bad("a control character");
    const auto eq = e.find('=');
    if (eq != std::string::npos && (eq == 0 || eq + 1 >= e.size()))
      return bad("not a group DN, e.g. cn=sales,ou=groups,dc=example,dc=org");
    if (eq == std::string::npos && e.find(' ') != std::string::npos)
      return bad("a username has no space (a group is a DN, e.g. cn=sales,ou=groups,dc=example,dc=org)");
    const bool seen = std::any_of(out.begin(), out.end(), [&](const std::string& o) {
      return o == e || (eq != std::string::npos && fold_dn(o) == fold_dn(e));
    });
    if (!seen) out.push_back(e);
  }
  return out;
}

ConferenceLimits limits_for(const BookingCategory& category, const ConferenceLimits& global) {
  ConferenceLimits l = global;
  l.max_duration_minutes = std::max(l.min_duration_minutes, narrowed(category.max_duration_minutes,
                                                                     global.max_duration_minutes));
  l.max_participants = std::max(kMinParticipants, narrowed(category.max_participants, global.max_participants));
  l.max_validity_days = narrowed(category.max_validity_days, global.max_validity_days);
  l.default_duration_minutes = std::min(l.default_duration_minutes, l.max_duration_minutes);
  l.default_max_participants = std::min(l.default_max_participants, l.max_participants);
  l.default_validity_days = std::min(l.default_validity_days, l.max_validity_days);
  return l;
}

Decision decide(const BookingPolicy& policy, const Requester& who, const Booking& proposed, const Booking* current,
                const PolicyContext& context) {
  const BookingCategory category = category_of(policy, who);
  Decision allowed;
  allowed.category = category.name;
  if (who.admin) return allowed;

  if (!current) {
    if (category.name == no_category().name)
      return refused(category.name, "no_category", "your account is in no booking category: you may not book");
    if (category.booking == BookingMode::kRefused)
      return refused(category.name, "booking_refused",
                     "booking is not allowed for your account (category '" + category.name + "')");
  }

  std::vector<FieldError> fields;
  auto over = [&](const char* field, int value, int old_value, int max) {
    if (max <= 0 || value <= max || (current && value <= old_value)) return;
    fields.emplace_back(field,
                        "at most " + std::to_string(max) + " for your account (category '" + category.name + "')",
                        "category_limit", ErrorParams{{"max", max}, {"category", category.name}});
  };
  over("duration_minutes", proposed.duration_minutes, current ? current->duration_minutes : 0,
       category.max_duration_minutes);
  over("max_participants", proposed.max_participants, current ? current->max_participants : 0,
       category.max_participants);
  over("validity_days", proposed.validity_days, current ? current->validity_days : 0, category.max_validity_days);
  if (!category.recording && proposed.options.record && !(current && current->options.record)) {
    fields.emplace_back("record",
                        "recording is not allowed for your account (category '" + category.name + "')",
                        "recording_not_allowed", ErrorParams{{"category", category.name}});
  }
  if (!fields.empty()) {
    Decision d = refused(category.name, "category_limit", "the booking exceeds the limits of your account");
    d.fields = std::move(fields);
    return d;
  }

  if (!current) {
    if (category.max_active_bookings > 0 && context.bookings_in_force >= category.max_active_bookings) {
      return refused(category.name, "too_many_bookings",
                     "you already have " + std::to_string(context.bookings_in_force) +
                         " bookings in force, the most your account allows (category '" + category.name + "')",
                     {{"max", category.max_active_bookings}});
    }
    if (category.booking == BookingMode::kBilled) {
      Decision d;
      d.kind = Decision::Kind::kNeedsPayment;
      d.category = category.name;
      d.amount = category.price;
      d.currency = category.currency;
      d.description = "conference booking (category '" + category.name + "')";
      return d;
    }
  }
  return allowed;
}

Error to_error(const Decision& decision) {
  assert(!decision.allowed());
  if (decision.kind == Decision::Kind::kNeedsPayment) {
    return Error::denied("booking is billed for your account (category '" + decision.category +
                         "'); billing is not yet available")
        .with_reason("billing_unavailable", {{"category", decision.category}});
  }
  if (decision.reason == "category_limit") {
    Error e = Error::invalid_fields(decision.fields);
    return std::move(e).with_reason(decision.reason, decision.params);
  }
  return Error::denied(decision.message).with_reason(decision.reason, decision.params);
}

}  // namespace confpro::domain
