#include "domain/booking.h"

#include <string_view>

namespace confpro::domain {

const char* to_string(Language l) {
  return l == Language::kEnglish ? "en" : "fr";
}

std::optional<Language> language_from_string(std::string_view s) {
  if (s == "fr") return Language::kFrench;
  if (s == "en") return Language::kEnglish;
  return std::nullopt;
}

const char* to_string(BookingState s) {
  switch (s) {
    case BookingState::kScheduled:
      return "scheduled";
    case BookingState::kActive:
      return "active";
    case BookingState::kEnded:
      return "ended";
  }
  return "scheduled";
}

std::optional<BookingState> booking_state_from_string(std::string_view s) {
  if (s == "scheduled") return BookingState::kScheduled;
  if (s == "active") return BookingState::kActive;
  if (s == "ended") return BookingState::kEnded;
  return std::nullopt;
}

const char* to_string(EndReason r) {
  switch (r) {
    case EndReason::kNone:
      return "";
    case EndReason::kDurationElapsed:
      return "duration-elapsed";
    case EndReason::kEndedByModerator:
      return "ended-by-moderator";
    case EndReason::kEndedByAdmin:
      return "ended-by-admin";
    case EndReason::kExpiredUnused:
      return "expired-unused";
    case EndReason::kInterrupted:
      return "interrupted";
    case EndReason::kEmpty:
      return "empty";
    case EndReason::kCreditExhausted:
      return "credit-exhausted";
  }
  return "";
}

std::optional<EndReason> end_reason_from_string(std::string_view s) {
  for (auto r :
       {EndReason::kNone, EndReason::kDurationElapsed, EndReason::kEndedByModerator, EndReason::kEndedByAdmin,
        EndReason::kExpiredUnused, EndReason::kInterrupted, EndReason::kEmpty,
        EndReason::kCreditExhausted}) {
    if (s == to_string(r)) return r;
  }
  return std::nullopt;
}

const char* to_string(Role r) {
  return r == Role::kModerator ? "moderator" : "user";
}

const char* to_string(JoinPolicy p) {
  return p == JoinPolicy::kAllowListOnly ? "allow-list" : "pin";
}

std::optional<JoinPolicy> join_policy_from_string(std::string_view s) {
  if (s == "pin") return JoinPolicy::kAnyoneWithPin;
  if (s == "allow-list") return JoinPolicy::kAllowListOnly;
  return std::nullopt;
}

}  // namespace confpro::domain
