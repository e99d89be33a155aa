#include "domain/lifecycle.h"

#include <algorithm>

#include "domain/booking_rules.h"

namespace confpro::domain {

std::optional<TimePoint> ends_at(const Booking& b) {
  if (!b.opened_at) return std::nullopt;
  return *b.opened_at + std::chrono::minutes{b.duration_minutes};
}

std::optional<TimePoint> warning_at(const Booking& b, const ConferenceLimits& limits) {
  auto end = ends_at(b);
  if (!end || limits.warning_minutes <= 0) return std::nullopt;
  return std::max(*b.opened_at, *end - std::chrono::minutes{limits.warning_minutes});
}

BookingState effective_state(const Booking& b, TimePoint now) {
  return effective_end_reason(b, now) != EndReason::kNone ? BookingState::kEnded : b.state;
}

EndReason effective_end_reason(const Booking& b, TimePoint now) {
  switch (b.state) {
    case BookingState::kEnded:
      return b.end_reason;
    case BookingState::kScheduled:
      return now >= b.valid_until() ? EndReason::kExpiredUnused : EndReason::kNone;
    case BookingState::kActive: {
      auto end = ends_at(b);
      return end && now >= *end ? EndReason::kDurationElapsed : EndReason::kNone;
    }
  }
  return EndReason::kNone;
}

const char* to_string(JoinOutcome o) {
  switch (o) {
    case JoinOutcome::kOk:
      return "ok";
    case JoinOutcome::kNotYetValid:
      return "not-yet-valid";
    case JoinOutcome::kEnded:
      return "ended";
    case JoinOutcome::kFull:
      return "full";
    case JoinOutcome::kLocked:
      return "locked";
    case JoinOutcome::kNotAllowed:
      return "not-allowed";
  }
  return "ok";
}

JoinDecision can_join(const Booking& b, Role role, TimePoint now, int current_participants, bool locked) {
  const BookingState state = effective_state(b, now);
  if (state == BookingState::kEnded) return {JoinOutcome::kEnded, false, false};
  if (state == BookingState::kScheduled && now < b.valid_from)
    return {JoinOutcome::kNotYetValid, false, false};
  if (locked && role == Role::kUser) return {JoinOutcome::kLocked, false, false};
  if (current_participants >= b.max_participants) return {JoinOutcome::kFull, false, false};
  JoinDecision d;
  if (state == BookingState::kScheduled) {
    d.opens_session = role == Role::kModerator || !b.options.wait_for_leader;
    d.waits_for_leader = !d.opens_session;
  }
  return d;
}

std::optional<Role> role_for_pin(const Booking& b, std::string_view pin) {
  if (pin.empty()) return std::nullopt;
  if (pin == b.moderator_pin) return Role::kModerator;
  if (pin == b.user_pin) return Role::kUser;
  for (const auto& i : b.invitees) {
    if (!i.personal_pin.empty() && pin == i.personal_pin) return Role::kUser;
  }
  return std::nullopt;
}

bool caller_allowed(const Booking& b, std::string_view caller_number, std::string_view pin,
                    const std::vector<NumberRule>& rules) {
  if (b.join_policy == JoinPolicy::kAnyoneWithPin) return true;
  if (!pin.empty() && pin == b.moderator_pin) return true;
  return matching_invitee(b, caller_number, pin, rules) != nullptr;
}

const Invitee* matching_invitee(const Booking& b, std::string_view caller_number, std::string_view pin,
                                const std::vector<NumberRule>& rules) {
  if (!pin.empty()) {
    for (const auto& i : b.invitees)
      if (!i.personal_pin.empty() && i.personal_pin == pin) return &i;
  }
  for (const auto& i : b.invitees)
    if (!i.phone.empty() && same_phone(i.phone, caller_number, rules)) return &i;
  return nullptr;
}

std::string invitee_label(const Invitee& i) { return i.email.empty() ? i.phone : i.email; }

Status open(Booking& b, TimePoint now) {
  if (b.state != BookingState::kScheduled) {
    return Error::precondition(std::string("booking is ") + to_string(b.state) + ", not scheduled");
  }
  if (now < b.valid_from) return Error::precondition("booking is not yet valid");
  if (now >= b.valid_until()) return Error::precondition("booking validity has lapsed");
  b.state = BookingState::kActive;
  b.opened_at = now;
  return {};
}

Status end(Booking& b, EndReason reason, TimePoint now) {
  if (reason == EndReason::kNone || reason == EndReason::kInterrupted) {
    return Error::invalid("reason",
                          "a booking ends with duration-elapsed, ended-by-moderator, ended-by-admin, "
                          "expired-unused, empty or credit-exhausted");
  }
  if (b.state == BookingState::kEnded) return Error::precondition("booking has already ended");
  if (b.state == BookingState::kScheduled &&
      (reason == EndReason::kDurationElapsed || reason == EndReason::kEndedByModerator ||
       reason == EndReason::kEmpty || reason == EndReason::kCreditExhausted)) {
    return Error::precondition(std::string("a booking never opened cannot end with ") + to_string(reason));
  }
  if (b.state == BookingState::kActive && reason == EndReason::kExpiredUnused) {
    return Error::precondition("an opened booking cannot end as expired-unused");
  }
  b.state = BookingState::kEnded;
  b.end_reason = reason;
  b.ended_at = now;
  return {};
}

}  // namespace confpro::domain
