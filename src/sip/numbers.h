// Telephone numbers at the SIP edge: the dial plan that guards dial-out (toll-fraud: FEATURES.md M4). Numbers
// are normalized by the one phone normaliser, domain::normalize_phone (domain/phone.h).
// Thread safety: pure functions; a compiled DialPlan is immutable and may be shared between threads.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sip/sip_endpoint.h"

namespace confpro::sip {

// The user part of a SIP URI without user parameters (";phone-context=…"), as text.
std::string_view strip_user_params(std::string_view user);

bool is_digits(std::string_view s);  // non-empty and only 0-9

class DialPlan {
 public:
  // Compiles the allow-list; kInvalidArgument names the first bad pattern.
  static Result<DialPlan> compile(const std::vector<std::string>& patterns);
  // True when `digits` matches one pattern entirely.
  bool allows(const std::string& digits) const;
  bool empty() const { return patterns_.empty(); }

 private:
  std::vector<std::regex> patterns_;
};

// Normalizes `raw` and checks it against the plan. Errors: kInvalidArgument when the result is not digits only
// (letters, '&', ',', '@', ';', '%', '*', '#' …) or longer than 20 digits, kPermissionDenied when no pattern
// allows it. Returns the digits to dial.
Result<std::string> check_dial_number(std::string_view raw, const std::vector<NumberRule>& rules,
                                      const DialPlan& plan);

}  // namespace confpro::sip
