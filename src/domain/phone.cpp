#include "domain/phone.h"

namespace confpro::domain {

std::string normalize_phone(std::string_view raw, const std::vector<NumberRule>& rules) {
  std::string out;
  out.reserve(raw.size() + 1);
  for (char c : raw) {
    if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    out += c;
  }
  if (!out.empty() && out[0] == '+') out.replace(0, 1, "00");
  for (const auto& rule : rules) {
    if (out.starts_with(rule.strip_prefix)) {
      out = rule.add_prefix + out.substr(rule.strip_prefix.size());
      break;
    }
  }
  return out;
}

bool same_phone(std::string_view a, std::string_view b, const std::vector<NumberRule>& rules) {
  const std::string na = normalize_phone(a, rules);
  return !na.empty() && na == normalize_phone(b, rules);
}

std::string tidy_phone(std::string_view typed) {
  std::string out;
  for (char c : typed) {
    if ((c >= '0' && c <= '9') || (c == '+' && out.empty())) out += c;
  }
  return out;
}

}  // namespace confpro::domain
