#include "domain/money.h"

namespace confpro::domain {

std::optional<std::int64_t> parse_amount(std::string_view text, bool allow_negative) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    if (!allow_negative) return std::nullopt;
    negative = true;
    text.remove_prefix(1);
  }
  const auto dot = text.find('.');
  std::string_view units = text.substr(0, dot);
  std::string_view cents = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (units.empty() || units.size() > 10 || cents.size() > 2 || (dot != std::string_view::npos && cents.empty()))
    return std::nullopt;
  std::int64_t value = 0;
  for (char c : units) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  std::int64_t minor = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    char c = i < cents.size() ? cents[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    minor = minor * 10 + (c - '0');
  }
  const std::int64_t total = value * 100 + minor;
  if (total > kMaxAmountMinor) return std::nullopt;
  return negative ? -total : total;
}

Result<std::int64_t> amount_field(const std::string& field, const std::string& text, bool allow_negative) {
  if (auto v = parse_amount(text, allow_negative)) return *v;
  return Error::invalid(field,
                        "must be a decimal amount such as 5.00" +
                            std::string(allow_negative ? " or -5.00" : " (not negative)") +
                            ", at most two decimals and 1000000000.00, got '" + text + "'",
                        "bad_amount", {{"max", format_amount(kMaxAmountMinor)}});
}

std::string format_amount(std::int64_t minor) {
  const bool negative = minor < 0;
  const std::uint64_t v = negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  std::string cents = std::to_string(v % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(v / 100) + "." + cents;
}

bool valid_currency(std::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

}  // namespace confpro::domain
