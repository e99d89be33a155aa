// Tariffs (FEATURES.md P1, issue 16): packages that price a booking by its maximum duration and maximum
// participants. A booking is priced by the cheapest plan that covers both; none covering it means it cannot
// be sold. Pure; thread safety: plain values and functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/booking.h"

namespace confpro::domain {

struct TariffPlan {
  std::string name;
  int max_duration_minutes = 0;  // the package covers bookings up to this duration
  int max_participants = 0;      // and up to this many participants
  std::int64_t price = 0;        // minor units of `currency`
  std::string currency = "EUR";
  bool operator==(const TariffPlan&) const = default;
};

struct Quote {
  const TariffPlan* plan = nullptr;  // nullptr: no plan covers the booking
  std::int64_t price = 0;
  std::string currency;
};

// The cheapest plan covering `duration_minutes` and `max_participants` (ties: the first listed).
Quote quote(const std::vector<TariffPlan>& plans, int duration_minutes, int max_participants);
Quote quote(const std::vector<TariffPlan>& plans, const Booking& b);

// The refusal when no plan covers a booking: kInvalidArgument on `field`, reason "no_plan" with the duration and
// participants as params — the same words for the booking, the API's quote and `confpro tariff quote`.
Error no_plan_error(const std::string& field, int duration_minutes, int max_participants);

}  // namespace confpro::domain
