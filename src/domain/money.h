// Money as integer minor units (cents): amounts are parsed from and shown as decimal strings ("5.00"), never
// held in floating point (FEATURES.md P1, issue 16). Two decimals, which every currency the product is sold in
// uses. Pure; thread safety: plain functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace confpro::domain {

// Largest amount accepted anywhere (a price, a credit, an adjustment): 1,000,000,000.00.
inline constexpr std::int64_t kMaxAmountMinor = 100'000'000'000;

// "5", "5.0", "5.00", "0.05" → minor units; a leading '-' only when `allow_negative` (adjustments).
// nullopt: empty, not a number, more than two decimals, spaces, exponent, or beyond kMaxAmountMinor.
std::optional<std::int64_t> parse_amount(std::string_view text, bool allow_negative = false);

// parse_amount as a field of a request (CLI, API): kInvalidArgument naming `field`, reason "bad_amount", with a
// message that says what is accepted.
Result<std::int64_t> amount_field(const std::string& field, const std::string& text, bool allow_negative);

// Minor units → "5.00", "-3.50", "0.05".
std::string format_amount(std::int64_t minor);

// ISO 4217 shape: three upper-case letters ("EUR").
bool valid_currency(std::string_view code);

}  // namespace confpro::domain
