// Generation, build_booking, field_editable and apply_update (booking_rules.h).
#include "domain/booking_rules.h"

#include <algorithm>
#include <cctype>

namespace confpro::domain {

namespace {

std::string random_digits(int length, bool leading_zero_allowed, RandomSource& random) {
  std::string s;
  s.reserve(static_cast<size_t>(length));
  for (int i = 0; i < length; ++i) {
    bool first = i == 0 && !leading_zero_allowed;
    s += static_cast<char>('0' + (first ? 1 + random.below(9) : random.below(10)));
  }
  return s;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool is_personal_pin(const std::vector<Invitee>& invitees, std::string_view pin) {
  return std::any_of(invitees.begin(), invitees.end(),
                     [pin](const Invitee& i) { return !i.personal_pin.empty() && i.personal_pin == pin; });
}

std::string pin_avoiding(const ConferenceLimits& limits, RandomSource& random, std::string_view other,
                         const std::vector<Invitee>& invitees) {
  for (;;) {
    std::string pin = generate_pin(limits, random, other);
    if (!is_personal_pin(invitees, pin)) return pin;
  }
}

std::vector<Invitee> normalized(std::vector<Invitee> invitees) {
  for (auto& i : invitees) {
    i.email = trimmed(i.email);
    i.phone = tidy_phone(i.phone);
  }
  return invitees;
}

// Cross-field rules on a complete booking: PINs differ from each other and from personal PINs.
void check_pins_together(const Booking& b, std::vector<FieldError>& errors) {
  if (b.user_pin == b.moderator_pin)
    errors.emplace_back("moderator_pin", "must differ from the user PIN", "pins_equal");
  for (size_t i = 0; i < b.invitees.size(); ++i) {
    const auto& p = b.invitees[i].personal_pin;
    if (!p.empty() && (p == b.user_pin || p == b.moderator_pin)) {
      errors.emplace_back("invitees[" + std::to_string(i) + "].personal_pin",
                          "must differ from the user and moderator PINs", "pin_reused");
    }
  }
}

}  // namespace

std::string generate_number(const ConferenceLimits& limits, RandomSource& random) {
  return random_digits(limits.number_length, false, random);
}

std::string generate_pin(const ConferenceLimits& limits, RandomSource& random, std::string_view other_pin) {
  for (;;) {
    std::string pin = random_digits(limits.pin_length, true, random);
    if (!is_trivial_pin(pin) && pin != other_pin) return pin;
  }
}

Result<Booking> build_booking(const BookingDraft& d, const ConferenceLimits& limits, TimePoint now,
                              RandomSource& random) {
  auto errors = validate_draft(d, limits, true, now);
  if (!errors.empty()) return Error::invalid_fields(std::move(errors));

  Booking b;
  b.name = trimmed(*d.name);
  b.owner = trimmed(*d.owner);
  b.created_at = now;
  b.updated_at = now;
  b.valid_from = d.valid_from.value_or(now);
  b.duration_minutes = d.duration_minutes.value_or(limits.default_duration_minutes);
  b.validity_days = d.validity_days.value_or(limits.default_validity_days);
  b.max_participants = d.max_participants.value_or(limits.default_max_participants);
  b.language = d.language ? *language_from_string(*d.language) : limits.default_language;
  b.join_policy = d.join_policy ? *join_policy_from_string(*d.join_policy) : JoinPolicy::kAnyoneWithPin;
  b.options.announce_moderator = d.announce_moderator.value_or(false);
  b.options.record = d.record.value_or(false);
  b.options.announce_users = d.announce_users.value_or(false);
  b.options.listen_only = d.listen_only.value_or(false);
  b.options.wait_for_leader = d.wait_for_leader.value_or(false);
  b.invitees = normalized(d.invitees.value_or(std::vector<Invitee>{}));
  b.created_via = d.created_via.value_or("cli");
  b.access_number = d.access_number.value_or("");
  b.number = d.number ? *d.number : generate_number(limits, random);
  if (d.moderator_pin) {
    b.moderator_pin = *d.moderator_pin;
    b.user_pin = d.user_pin ? *d.user_pin : pin_avoiding(limits, random, b.moderator_pin, b.invitees);
  } else {
    b.user_pin = d.user_pin ? *d.user_pin : pin_avoiding(limits, random, {}, b.invitees);
    b.moderator_pin = pin_avoiding(limits, random, b.user_pin, b.invitees);
  }
  check_pins_together(b, errors);
  if (!errors.empty()) return Error::invalid_fields(std::move(errors));
  give_personal_pins(b, limits, random);
  return b;
}

void give_personal_pins(Booking& b, const ConferenceLimits& limits, RandomSource& random) {
  if (b.join_policy != JoinPolicy::kAllowListOnly) return;
  for (auto& invitee : b.invitees) {
    if (!invitee.personal_pin.empty()) continue;
    std::string pin;
    do {
      pin = pin_avoiding(limits, random, b.user_pin, b.invitees);
    } while (pin == b.moderator_pin);
    invitee.personal_pin = pin;
  }
}

bool field_editable(BookingState state, std::string_view field) {
  if (field == "created_via" || field == "access_number") return false;
  switch (state) {
    case BookingState::kScheduled:
      return true;
    case BookingState::kActive:
      return field == "name" || field == "duration_minutes" || field == "max_participants" ||
             field == "invitees";
    case BookingState::kEnded:
      return false;
  }
  return false;
}

Result<Booking> apply_update(const Booking& current, const BookingDraft& d, const ConferenceLimits& limits,
                             TimePoint now) {
  const BookingState state = effective_state(current, now);
  Booking next = current;
  std::vector<FieldError> forbidden;
  auto set = [&](const char* field, auto& target, const auto& value) {
    if (target == value) return;
    if (!field_editable(state, field)) {
      forbidden.emplace_back(field, std::string("cannot be changed while the booking is ") + to_string(state),
                             "not_editable_in_state", ErrorParams{{"state", std::string(to_string(state))}});
    }
    target = value;
  };
  auto errors = validate_draft(d, limits, false, now);

  if (d.name) set("name", next.name, trimmed(*d.name));
  if (d.owner) set("owner", next.owner, trimmed(*d.owner));
  if (d.number) set("number", next.number, *d.number);
  if (d.user_pin) set("user_pin", next.user_pin, *d.user_pin);
  if (d.moderator_pin) set("moderator_pin", next.moderator_pin, *d.moderator_pin);
  if (d.valid_from) set("valid_from", next.valid_from, *d.valid_from);
  if (d.duration_minutes) set("duration_minutes", next.duration_minutes, *d.duration_minutes);
  if (d.validity_days) set("validity_days", next.validity_days, *d.validity_days);
  if (d.max_participants) set("max_participants", next.max_participants, *d.max_participants);
  if (d.language) {
    if (auto l = language_from_string(*d.language)) set("language", next.language, *l);
  }
  if (d.join_policy) {
    if (auto p = join_policy_from_string(*d.join_policy)) set("join_policy", next.join_policy, *p);
  }
  if (d.announce_moderator) set("announce_moderator", next.options.announce_moderator, *d.announce_moderator);
  if (d.record) set("record", next.options.record, *d.record);
  if (d.announce_users) set("announce_users", next.options.announce_users, *d.announce_users);
  if (d.listen_only) set("listen_only", next.options.listen_only, *d.listen_only);
  if (d.wait_for_leader) set("wait_for_leader", next.options.wait_for_leader, *d.wait_for_leader);
  if (d.invitees) set("invitees", next.invitees, normalized(*d.invitees));

  if (!forbidden.empty()) {
    Error e = Error::invalid_fields(std::move(forbidden));
    e.code = ErrorCode::kFailedPrecondition;
    return e;
  }
  if (errors.empty()) {
    check_pins_together(next, errors);
    bool window_changed =
        next.valid_from != current.valid_from || next.validity_days != current.validity_days;
    if (window_changed && next.valid_until() <= now) {
      errors.emplace_back(next.valid_from != current.valid_from ? "valid_from" : "validity_days",
                          "the validity window would already have ended", "window_ended");
    }
    if (state == BookingState::kActive && next.duration_minutes != current.duration_minutes &&
        next.opened_at && *next.opened_at + std::chrono::minutes{next.duration_minutes} <= now) {
      errors.emplace_back("duration_minutes", "would end the running conference in the past", "ends_in_past");
    }
  }
  if (!errors.empty()) return Error::invalid_fields(std::move(errors));
  if (next != current) next.updated_at = now;
  return next;
}

}  // namespace confpro::domain
