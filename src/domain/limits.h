// Conference defaults and limits (config section [conference]); every booking is validated against them.
// Thread safety: a plain value; copy it where needed.
#pragma once

#include "domain/booking.h"

namespace confpro::domain {

struct ConferenceLimits {
  // Digits in a generated conference number (no leading 0). Allowed 4–12. [6]
  int number_length = 6;
  // Digits in a user or moderator PIN, given or generated (exact length). Allowed 4–12. [6]
  int pin_length = 6;
  // Shortest allowed duration of a booking, in minutes. [5]
  int min_duration_minutes = 5;
  // Longest allowed duration of a booking, in minutes. [480]
  int max_duration_minutes = 480;
  // Duration used when a booking does not give one. [60]
  int default_duration_minutes = 60;
  // Upper bound of a booking's max participants (moderators included); the lower bound is 2. [100]
  int max_participants = 100;
  // Max participants used when a booking does not give it. [10]
  int default_max_participants = 10;
  // Longest validity window, in days of 24 h. [365]
  int max_validity_days = 365;
  // Validity used when a booking does not give it. [1]
  int default_validity_days = 1;
  // Participants hear the end-of-conference warning this many minutes before the end; 0 = no warning. [5]
  int warning_minutes = 5;
  // A conference its billing limits (issue 16 P4) hears "credit-low" this many seconds before the time granted
  // runs out. [60]
  int credit_warning_seconds = 60;
  // An opened conference with nobody left in it ends after this many minutes unless someone joins; 0 = it
  // stays open until its duration runs out. [5]
  int empty_end_minutes = 5;
  // Prompt language used when a booking does not give one. [fr]
  Language default_language = Language::kFrench;
};

// Smallest max participants a booking may ask for (a conference needs two people).
inline constexpr int kMinParticipants = 2;
// Longest booking name, in characters (UTF-8 code points).
inline constexpr int kMaxNameLength = 100;

}  // namespace confpro::domain
