// The booking rules (FEATURES.md B1, B2, B6): the inputs of create/update, validation of every field (all
// errors at once, each naming its field and the rule), building a new booking with defaults and generated
// values, and which fields may be edited in which state. The life cycle (B3–B5, B8) is in domain/lifecycle.h,
// included here. Pure: no I/O; time and randomness are passed in.
//
// Thread safety: free functions over values; safe from any thread (a RandomSource is not: lock it yourself).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "domain/booking.h"
#include "domain/lifecycle.h"
#include "domain/limits.h"
#include "domain/random.h"

namespace confpro::domain {

// The inputs of create and update. A field left empty (nullopt) means "default / generate" on create and
// "unchanged" on update. Texts are given as typed by the person (language and join policy as words) so that
// validation can name what is wrong.
struct BookingDraft {
  std::optional<std::string> name;           // required on create; 1–100 printable characters, trimmed
  std::optional<std::string> owner;          // required on create; a directory username
  std::optional<std::string> number;         // digits, number_length of the limits, no leading 0; generated
  std::optional<std::string> user_pin;       // digits, exactly pin_length; generated
  std::optional<std::string> moderator_pin;  // digits, exactly pin_length, != user_pin; generated
  std::optional<TimePoint> valid_from;       // start of validity; default: now
  std::optional<int> duration_minutes;       // min..max_duration_minutes; default: default_duration_minutes
  std::optional<int> validity_days;          // 1..max_validity_days; default: default_validity_days
  std::optional<int> max_participants;       // 2..max_participants; default: default_max_participants
  std::optional<std::string> language;       // "fr" | "en"; default: default_language
  std::optional<std::string> join_policy;    // "pin" | "allow-list"; default: "pin"
  std::optional<bool> announce_moderator;    // B2 options, each default false
  std::optional<bool> record;
  std::optional<bool> announce_users;
  std::optional<bool> listen_only;
  std::optional<bool> wait_for_leader;
  std::optional<std::vector<Invitee>> invitees;  // replaces the whole list; e-mail and/or phone each
  std::optional<std::string> created_via;  // "web" | "phone" | "cli" | "api"; default "cli" (create only)
  std::optional<std::string>
      access_number;  // digits; the access number used to create by phone (create only)
  std::optional<std::string> account;  // the billing account that pays (create only; issue 16)
};

// Field names used in FieldError::field (the same words the CLI flags and the JSON API use):
// "name", "owner", "number", "user_pin", "moderator_pin", "valid_from", "duration_minutes", "validity_days",
// "max_participants", "language", "join_policy", "invitees[i].email", "invitees[i].phone",
// "invitees[i].personal_pin", "created_via", "access_number", and for state rules the field edited.

// A PIN that anyone would try first: all one digit (0000), a run up or down, wrapping 9↔0 (1234, 9876, 7890,
// 3210), a repeated block of up to half the length (1212, 123123, 12341234), or, for 4 digits, a palindrome
// of two digits (1221).
bool is_trivial_pin(std::string_view pin);

// Each check returns "" when the value is fine, else the rule it breaks (a sentence fragment for a person).
std::string check_name(std::string_view name);
std::string check_number(std::string_view number, const ConferenceLimits& limits);
std::string check_pin(std::string_view pin, const ConferenceLimits& limits);
std::string check_email(std::string_view email);
std::string check_phone(std::string_view phone);  // digits with an optional leading '+', 3–20 digits

// Every problem of `draft` at once. `creating`: name and owner are required and created_via/access_number
// are accepted; otherwise they may be absent (unchanged). `now` is used to refuse a validity window that has
// already ended. Returns an empty vector when the draft is valid.
std::vector<FieldError> validate_draft(const BookingDraft& draft, const ConferenceLimits& limits,
                                       bool creating, TimePoint now);

// Generation (B1): random, never sequential. A number of limits.number_length digits without a leading 0; a
// PIN of limits.pin_length digits that is not trivial and differs from `other_pin` (when not empty).
std::string generate_number(const ConferenceLimits& limits, RandomSource& random);
std::string generate_pin(const ConferenceLimits& limits, RandomSource& random,
                         std::string_view other_pin = {});

// Validates `draft` for a creation and returns the new booking (id 0, version 0, state scheduled) with
// defaults filled and missing number/PINs generated. Errors: kInvalidArgument with every bad field.
// Uniqueness against the store is the caller's job (regenerate on a conflict of a generated value).
Result<Booking> build_booking(const BookingDraft& draft, const ConferenceLimits& limits, TimePoint now,
                              RandomSource& random);

// B8: with JoinPolicy::kAllowListOnly every invitee without a personal PIN gets one, different from the
// booking's PINs and from the other invitees' (their own e-mail carries it, and it lets them in from any
// phone). build_booking does it; call it after apply_update too. Nothing changes under kAnyoneWithPin.
void give_personal_pins(Booking& b, const ConferenceLimits& limits, RandomSource& random);

// Which fields may be edited in each state (B6):
//  - scheduled: every field except created_via/access_number;
//  - active: only name, duration_minutes (to extend or shorten the running session), max_participants,
//    invitees — the number, PINs, window, owner, language and options are what participants joined with;
//  - ended: nothing.
bool field_editable(BookingState state, std::string_view field);

// Applies the set fields of `draft` to `current` (state as stored; pass the effective state if it differs).
// Errors: kFailedPrecondition naming the field when the state forbids a change (an ended booking: any
// change); kInvalidArgument with every bad field. A field set to the value it already has is not a change.
Result<Booking> apply_update(const Booking& current, const BookingDraft& draft,
                             const ConferenceLimits& limits, TimePoint now);

}  // namespace confpro::domain
