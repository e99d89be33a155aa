// Who may book, and within which limits (FEATURES.md B7): organizer categories from the configuration
// ([[booking.category]], etc/confpro.example.toml). Each category says who belongs (listed users, directory
// groups, everyone), whether booking is free, refused or billed, and its limits. A requester's category is
// the first listed that matches — by username, then by group DN (compared case-insensitively), then
// `everyone` — else the configured default category; with no category configured at all everybody is in the
// built-in "default" category: free, with only the [conference] limits (as before categories existed).
// Administrators are not limited by categories (they run the service and book for others); their category is
// still shown.
//
// The decision has three answers — allowed, refused (a stable reason, an English message, the fields over
// their limit), needs payment (amount, currency, description) — so that billing plugs in behind the same
// interface (booking/booking_authorizer.h). A "billed" category answers needs payment; until billing exists
// the booking service turns that into a refusal "billing is not yet available" (reason "billing_unavailable").
// Pure: no I/O; the count of bookings in force is given by the caller.
//
// Thread safety: plain values and free functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/booking.h"
#include "domain/limits.h"

namespace confpro::domain {

enum class BookingMode { kFree, kRefused, kBilled };
const char* to_string(BookingMode m);  // "free" | "refused" | "billed"
std::optional<BookingMode> booking_mode_from_string(std::string_view s);

struct CategoryMembers {
  std::vector<std::string> users;   // usernames, exact
  std::vector<std::string> groups;  // directory group DNs, compared case-insensitively
  bool everyone = false;            // every user
  bool operator==(const CategoryMembers&) const = default;
};

// One [[booking.category]]. A limit of 0 means "no limit of the category" (the [conference] limit applies).
struct BookingCategory {
  std::string name;
  CategoryMembers members;
  BookingMode booking = BookingMode::kFree;
  int max_duration_minutes = 0;
  int max_participants = 0;
  int max_validity_days = 0;
  int max_active_bookings = 0;  // bookings in force at once (scheduled or active) owned by the user
  bool recording = true;        // may the category's bookings be recorded
  // For a billed category (used once billing exists): price per booking in the smallest unit of `currency`.
  std::int64_t price = 0;
  std::string currency = "EUR";
  bool operator==(const BookingCategory&) const = default;
};

// [booking]: the categories in order, and the category of users none matches.
struct BookingPolicy {
  std::vector<BookingCategory> categories;
  // Name of a listed category for users no category matches; "" = such users may not book (reason
  // "no_category"). Ignored when no category is listed.
  std::string default_category;
};

// Who asks.
struct Requester {
  std::string username;
  std::vector<std::string> groups;  // directory group DNs (empty for local accounts)
  bool admin = false;
};

// The built-in category used when no category is configured: free, no limit of its own.
BookingCategory builtin_default_category();
// The category of users no category matches when the policy names none: refused.
BookingCategory no_category();

// The category of `who` under `policy` (see the top of this file).
BookingCategory category_of(const BookingPolicy& policy, const Requester& who);

// Shared billing accounts (issue 16 P2): who besides its owner may pay with an account — usernames and directory
// group DNs (an entry with an '=' is a DN, compared like a category's groups).
bool member_of(const std::vector<std::string>& members, const Requester& who);
// The members as given, tidied (spaces trimmed, duplicates dropped, order kept), or kInvalidArgument on "members"
// naming the first bad entry: empty, over 200 characters, a control character, a DN without attribute=value,
// a username with a space; at most 100 entries.
Result<std::vector<std::string>> account_members(const std::vector<std::string>& entries);

// The [conference] limits narrowed by the category (each max is the smaller of both; the defaults are clamped
// into the narrowed range). Used to offer the form only what is allowed and to clamp the phone defaults.
ConferenceLimits limits_for(const BookingCategory& category, const ConferenceLimits& global);

struct Decision {
  enum class Kind { kAllowed, kRefused, kNeedsPayment };
  Kind kind = Kind::kAllowed;
  std::string category;  // the requester's category
  // kRefused: a stable snake_case reason ("booking_refused", "no_category", "too_many_bookings",
  // "category_limit", "billing_unavailable"), one English sentence, its params, and for "category_limit"
  // every field over its limit (reason "category_limit", params {"max", "category"}; the field "record":
  // reason "recording_not_allowed", params {"category"}).
  std::string reason;
  std::string message;
  ErrorParams params;
  std::vector<FieldError> fields;
  // kNeedsPayment
  std::int64_t amount = 0;
  std::string currency;
  std::string description;

  bool allowed() const { return kind == Kind::kAllowed; }
};

// What the decision needs to know beyond the booking.
struct PolicyContext {
  int bookings_in_force = 0;  // the requester's scheduled or active bookings (on update: this one included)
};

// Decides on `proposed` (the booking as it would be stored). `current` is the stored booking for an edit
// (nullptr for a creation): an edit is checked only on what it changes (a longer duration, more participants,
// a longer validity, recording turned on), so that lowering a category's limits does not lock old bookings,
// and the booking mode and max_active_bookings apply to creation only.
Decision decide(const BookingPolicy& policy, const Requester& who, const Booking& proposed, const Booking* current,
                const PolicyContext& context);

// The refusal as an Error: "category_limit" → kInvalidArgument with the fields; the others →
// kPermissionDenied with reason and params. Precondition: !decision.allowed().
Error to_error(const Decision& decision);

}  // namespace confpro::domain
