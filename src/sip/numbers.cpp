#include "sip/numbers.h"

#include <algorithm>

namespace confpro::sip {

std::string_view strip_user_params(std::string_view user) { return user.substr(0, user.find(';')); }

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<DialPlan> DialPlan::compile(const std::vector<std::string>& patterns) {
  DialPlan plan;
  for (const auto& p : patterns) {
    try {
      plan.patterns_.emplace_back(p, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Error::invalid("sip.dial_plan", "bad pattern '" + p + "': " + e.what());
    }
  }
  return plan;
}

bool DialPlan::allows(const std::string& digits) const {
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const std::regex& re) { return std::regex_match(digits, re); });
}

Result<std::string> check_dial_number(std::string_view raw, const std::vector<NumberRule>& rules,
                                      const DialPlan& plan) {
  std::string digits = domain::normalize_phone(raw, rules);
  if (!is_digits(digits)) return Error::invalid("number", "must contain digits only");
  if (digits.size() > 20) return Error::invalid("number", "too long");
  if (!plan.allows(digits)) {
    return Error::denied("number " + digits + " is outside the dial plan")
        .with_reason("outside_dial_plan", {{"number", digits}});
  }
  return digits;
}

}  // namespace confpro::sip
