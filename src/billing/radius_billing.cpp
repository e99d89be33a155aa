#include "billing/radius_billing.h"

#include "billing/coupling.h"
#include "common/log.h"

namespace confpro::billing {

store::AuditEntry radius_billing_line(const booking::Actor& actor, const std::string& account,
                                      const domain::Booking& booking, TimePoint now,
                                      const std::string& granted) {
  return {0,
          now,
          actor.username,
          kRadiusAuthorizeAction,
          booking_target(booking.id),
          "account=" + account + " granted=" + granted,
          actor.source};
}

Result<store::AuditEntry> RadiusAuthorizer::authorize_account(const booking::Actor& actor,
                                                              const std::string& account,
                                                              const domain::Booking& proposed,
                                                              TimePoint now) {
  const AccessAnswer answer = client_.authorize(account, proposed.access_number);
  const long long needed_s = static_cast<long long>(proposed.duration_minutes) * 60;
  switch (answer.kind) {
    case AccessAnswer::Kind::kAccept: {
      const auto granted = answer.granted_s();
      if (granted && *granted < needed_s) {
        const std::int64_t granted_min = *granted / 60;
        return Error(ErrorCode::kResourceExhausted,
                     "insufficient credit on account '" + account + "': the billing system grants " +
                         std::to_string(granted_min) + " minutes, the booking needs " +
                         std::to_string(proposed.duration_minutes),
                     {}, "insufficient_credit",
                     ErrorParams{{"account", account},
                                 {"granted_minutes", granted_min},
                                 {"needed_minutes", std::int64_t{proposed.duration_minutes}}});
      }
      return radius_billing_line(actor, account, proposed, now,
                                 granted ? std::to_string(*granted) + "s" : "any");
    }
    case AccessAnswer::Kind::kReject:
      return billing_refused(account, answer.message);
    case AccessAnswer::Kind::kUnavailable:
      break;
  }
  if (fail_open_ && postpaid(store_, account)) {
    log::get("billing")->warn(
        "RADIUS unavailable ({}): postpaid account '{}' allowed to book '{}' (fail_open)", answer.message,
        account, proposed.name);
    return radius_billing_line(actor, account, proposed, now, "unchecked");
  }
  return billing_unavailable(account, answer.message);
}

Result<bool> RadiusAuthorizer::bills(const domain::Booking& booking) {
  auto account = radius_account_of(store_, booking);
  if (!account.ok()) return account.error();
  return account->has_value();
}

Result<booking::AccountAuthorizer::Change> RadiusAuthorizer::reauthorize(const booking::Actor& actor,
                                                                         const domain::Booking& current,
                                                                         const domain::Booking& next,
                                                                         TimePoint now) {
  Change change;
  if (next.duration_minutes <= current.duration_minutes && next.access_number == current.access_number)
    return change;
  auto account = radius_account_of(store_, current);
  if (!account.ok()) return account.error();
  if (!*account) return change;
  auto line = authorize_account(actor, **account, next, now);
  if (!line.ok()) return line.error();
  change.line = std::move(*line);
  return change;
}

Result<std::optional<std::string>> radius_account_of(store::Store& store, const domain::Booking& booking) {
  store::AuditQuery q;
  q.target = booking_target(booking.id);
  q.limit = 500;
  auto page = store.list_audit(q);
  if (!page.ok()) return page.error();
  for (const auto& e : page->items) {
    if (e.action != kRadiusAuthorizeAction || e.details.rfind("account=", 0) != 0) continue;
    return std::optional<std::string>(e.details.substr(8, e.details.find(' ') - 8));
  }
  return std::optional<std::string>();
}

}  // namespace confpro::billing
