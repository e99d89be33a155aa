// What a conference's actual use costs on top of its package (FEATURES.md P1 "per-minute overage", P2 "adjusted
// to actual use", P4 "toll-free access and dial-out costs are attributed to the booking that caused them";
// issue 16). Pure: the legs come in as plain values (booking/billing.h reads them from the connection history).
//
// Rounding: each leg is counted in started minutes (ceil of its milliseconds / 60,000: 0 s → 0, 1 ms..60 s →
// 1, 60.001 s → 2), as telephony bills; every amount is an integer number of minor units (rate × minutes), so
// nothing is ever rounded again.
//  - toll-free: a leg that came in through a toll-free access number costs its minutes × toll_free_per_minute;
//  - dial-out: a leg the conference called costs its minutes × the rate of the longest prefix matching the
//    destination (none matching: 0);
//  - overage: the legs' minutes are summed (participant-minutes); those beyond the plan's included minutes cost
//    overage_per_participant_minute each. They are attributed to the legs in the order they joined: the
//    included minutes go to the first legs, the excess to the legs that consumed it.
// Thread safety: plain values and functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/tariff.h"

namespace confpro::domain {

struct UsageLeg {
  std::int64_t connection = 0;            // the caller's name for it (a connection id), carried through
  std::chrono::milliseconds duration{0};  // negative counts as 0
  bool toll_free = false;                 // came in through a toll-free access number
  std::optional<std::string> dial_out;    // the destination, when the conference dialled it
};

struct LegCharge {
  std::int64_t connection = 0;
  std::int64_t minutes = 0;          // started minutes of the leg
  std::int64_t overage_minutes = 0;  // of them, beyond what the package includes
  std::int64_t overage = 0;          // minor units
  std::int64_t surcharge = 0;        // toll-free or dial-out, minor units
  std::string surcharge_kind;        // "toll-free", "dial-out", "" (none)
  std::int64_t total() const { return overage + surcharge; }
};

struct UsageCharge {
  std::int64_t package = 0;  // what the caller said the package costs (the hold), minor units
  std::int64_t participant_minutes = 0;
  std::int64_t included_minutes = 0;
  std::int64_t overage_minutes = 0;
  std::int64_t overage = 0;
  std::int64_t toll_free = 0;
  std::int64_t dial_out = 0;
  std::vector<LegCharge> legs;  // in the order given
  std::int64_t total() const { return package + overage + toll_free + dial_out; }
  // "package 5.00 + overage 0.50 (1 participant-minute beyond 600) + toll-free 0.10 + dial-out 0.20 = 5.80
  // EUR"; only the parts that are not 0 after the package ("package 5.00 EUR" when none).
  std::string breakdown(const std::string& currency) const;
};

// Started minutes of a leg (rounding above).
std::int64_t started_minutes(std::chrono::milliseconds duration);

// The rate for dialling `number` under `plan`: the longest matching prefix's, nullptr when none matches.
const DialOutRate* dial_out_rate(const TariffPlan& plan, std::string_view number);

// The charge of `legs` (in the order they joined) under `plan`, on top of `package`.
UsageCharge charge_usage(const TariffPlan& plan, std::int64_t package, const std::vector<UsageLeg>& legs);

}  // namespace confpro::domain
