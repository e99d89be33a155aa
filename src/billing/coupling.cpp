#include "billing/coupling.h"

namespace confpro::billing {

std::string booking_target(BookingId id) {
  return id.valid() ? "booking:" + std::to_string(id.value()) : "";
}

bool postpaid(store::Store& store, const std::string& account) {
  auto a = store.get_account(account);
  return a.ok() && !a->account.prepaid;
}

Error billing_refused(const std::string& account, const std::string& message) {
  return Error(ErrorCode::kPermissionDenied,
               "billing refused for account '" + account + "'" + (message.empty() ? std::string() : ": " + message),
               {}, "billing_refused", ErrorParams{{"account", account}});
}

Error billing_unavailable(const std::string& account, const std::string& message) {
  return Error(ErrorCode::kUnavailable, "billing unavailable: " + message + "; try again later", {},
               "billing_unavailable", ErrorParams{{"account", account}});
}

}  // namespace confpro::billing
