// Tariffs (FEATURES.md P1/P4, issue 16): packages that price a booking by its maximum duration and maximum
// participants. A booking is priced by the cheapest plan that covers both; none covering it means it cannot
// be sold. A plan may also price the actual use at the end (domain/usage_charge.h): participant-minutes beyond
// what the package includes, toll-free access and dial-out, per started minute of each leg.
// Pure; thread safety: plain values and functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/booking.h"

namespace confpro::domain {

// The per-minute cost of dialling out to numbers starting with `prefix`, compared digit by digit ('+' and
// separators are ignored on both sides, so "+33" matches "+33 6 12…" and "33612…", "0033" does not). The
// longest matching prefix wins.
struct DialOutRate {
  std::string prefix;           // as configured: an optional '+' and 1..15 digits
  std::int64_t per_minute = 0;  // minor units per started minute of the leg
  bool operator==(const DialOutRate&) const = default;
};

// Limits of the per-minute rates a configuration may set: at most 1000.00 a minute.
inline constexpr std::int64_t kMaxRatePerMinute = 100'000;

struct TariffPlan {
  std::string name;
  int max_duration_minutes = 0;  // the package covers bookings up to this duration
  int max_participants = 0;      // and up to this many participants
  std::int64_t price = 0;        // minor units of `currency`
  std::string currency = "EUR";
  // Optional per-minute charges on top of the package, settled at the end from the connection history; all in
  // minor units of `currency` per started minute of a leg (a leg of 61 s is 2 minutes, one of 0 s none).
  //  - overage: the participant-minutes of all the booking's legs beyond `included_participant_minutes`;
  //    nullopt = the package is flat (no overage) [nullopt];
  std::optional<std::int64_t> overage_per_participant_minute = std::nullopt;
  //  - what the package includes; nullopt = max_participants × max_duration_minutes, i.e. overage only comes
  //    from use beyond the package itself [nullopt];
  std::optional<std::int64_t> included_participant_minutes = std::nullopt;
  //  - a leg that came in through a toll-free access number (its kind "toll-free") [0];
  std::int64_t toll_free_per_minute = 0;
  //  - a leg the conference dialled out to, by destination prefix [none: dial-out is not charged].
  std::vector<DialOutRate> dial_out = {};
  // Whom it is sold to (PlanScope): a plan naming billing accounts prices only bookings paid by one of them (a
  // negotiated tariff); one naming categories only bookings made in one of those [[booking.category]]; a plan
  // naming neither is the public tariff.
  std::vector<std::string> accounts = {};
  std::vector<std::string> categories = {};
  bool operator==(const TariffPlan&) const = default;

  // The participant-minutes the package includes (see included_participant_minutes).
  std::int64_t included_minutes() const {
    return included_participant_minutes.value_or(std::int64_t{max_participants} * max_duration_minutes);
  }
};

struct Quote {
  const TariffPlan* plan = nullptr;  // nullptr: no plan covers the booking
  std::int64_t price = 0;
  std::string currency;
};

// Whom a price is for: the account that pays ("" = none named yet) and the booking's category ("" = none known).
struct PlanScope {
  std::string account;
  std::string category;
};

// The plan pricing `duration_minutes` and `max_participants` for `scope`: the cheapest covering plan sold to
// the account, else the cheapest sold to the category, else the cheapest public plan (ties: the first listed).
// A more specific tier with no plan covering the booking falls through to the next.
Quote quote(const std::vector<TariffPlan>& plans, int duration_minutes, int max_participants,
            const PlanScope& scope = {});
// A booking paid by `account`: its duration, participants and category.
Quote quote(const std::vector<TariffPlan>& plans, const Booking& b, const std::string& account);

// The refusal when no plan covers a booking: kInvalidArgument on `field`, reason "no_plan" with the duration and
// participants as params — the same words for the booking, the API's quote and `confpro tariff quote`.
Error no_plan_error(const std::string& field, int duration_minutes, int max_participants);

// The per-minute terms of `plan` in words, for a quote ("" when it has none): "overage 0.05 per
// participant-minute beyond 600; toll-free 0.10 per minute; dial-out +33 0.02, +1 0.05 per minute".
std::string per_minute_terms(const TariffPlan& plan);

}  // namespace confpro::domain
