// The booking: a reserved conference (FEATURES.md B1–B3, B8) as a plain value type, and its life cycle
// states. Pure: no I/O, no SQL, no threads. Time comes from callers (a Clock passed in where rules need
// "now").
//
// Thread safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/strong_id.h"
#include "common/time.h"

namespace confpro::domain {

enum class Language { kFrench, kEnglish };
const char* to_string(Language l);  // "fr" | "en"
std::optional<Language> language_from_string(std::string_view s);

// B3. A booking is one conference session: scheduled → active → ended.
enum class BookingState { kScheduled, kActive, kEnded };
const char* to_string(BookingState s);  // "scheduled" | "active" | "ended"
std::optional<BookingState> booking_state_from_string(std::string_view s);

enum class EndReason {
  kNone,              // not ended
  kDurationElapsed,   // the duration ran out since opening
  kEndedByModerator,  // a moderator pressed *9 or ended it
  kEndedByAdmin,      // an administrator ended it from the console/API/CLI
  kExpiredUnused,     // never opened before its validity window lapsed
  kInterrupted,       // the server stopped or crashed while it was active (session row only)
  kEmpty,             // nobody was left in it for the grace time (conference.empty_end_minutes)
  kCreditExhausted,   // the time its billing granted ran out (issue 16 P4: RADIUS Session-Timeout) and no more came
};
const char* to_string(EndReason r);  // "", "duration-elapsed", "ended-by-moderator", "ended-by-admin",
                                     // "expired-unused", "interrupted", "empty",
                                     // "credit-exhausted"
std::optional<EndReason> end_reason_from_string(std::string_view s);

enum class Role { kUser, kModerator };
const char* to_string(Role r);  // "user" | "moderator"

// B8: who may join.
enum class JoinPolicy { kAnyoneWithPin, kAllowListOnly };
const char* to_string(JoinPolicy p);  // "pin" | "allow-list"
std::optional<JoinPolicy> join_policy_from_string(std::string_view s);

// B2 options.
struct BookingOptions {
  bool announce_moderator = false;  // moderators record their name; "<name> has joined/left" is played
  bool record = false;              // the whole conference is recorded to a file
  bool announce_users = false;      // users record their name too
  bool listen_only = false;         // users hear but are not heard
  bool wait_for_leader = false;     // users hear music until a moderator joins; only a moderator opens
  bool operator==(const BookingOptions&) const = default;
};

// An invited person (B1 invitee list; B8 allow-list by number or personal PIN).
struct Invitee {
  std::string email;         // may be empty when a phone is given
  std::string phone;         // optional; as typed, tidied (domain/phone.h tidy_phone); compared with same_phone
  std::string personal_pin;  // optional personal PIN (B8); empty when none
  bool operator==(const Invitee&) const = default;
};

struct Booking {
  BookingId id;               // 0 until stored
  std::string name;           // unique identifier, tied to the number
  std::string owner;          // username of the creator (a directory user)
  std::string number;         // conference number: digits, unique, random
  std::string user_pin;       // digits
  std::string moderator_pin;  // digits, != user_pin
  TimePoint created_at{};     // when the record was created
  TimePoint valid_from{};     // start of validity ("creation date" of B1, or an explicit start)
  int duration_minutes = 60;  // how long the session runs once opened
  int validity_days = 1;      // the window [valid_from, valid_from + validity_days)
  int max_participants = 10;  // moderators included
  Language language = Language::kFrench;
  BookingOptions options;
  JoinPolicy join_policy = JoinPolicy::kAnyoneWithPin;
  std::vector<Invitee> invitees;
  std::string created_via = "cli";  // "web" | "phone" | "cli" | "api"
  std::string access_number;  // the access number used to create it by phone (reports per access number)
  // The booking category ([[booking.category]] name) of its owner when it was made, which chooses the tariff plans
  // sold to that category (domain/tariff.h); "" = none known (made before categories, or by the system).
  std::string category;

  BookingState state = BookingState::kScheduled;
  EndReason end_reason = EndReason::kNone;
  std::optional<TimePoint> opened_at;  // set when it became active
  std::optional<TimePoint> ended_at;   // set when it ended
  TimePoint updated_at{};
  int version = 0;  // optimistic concurrency: bumped on every update

  TimePoint valid_until() const { return valid_from + std::chrono::days{validity_days}; }
  bool operator==(const Booking&) const = default;
};

}  // namespace confpro::domain
