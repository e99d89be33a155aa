#include "billing/radius_billing.h"

#include "common/log.h"

namespace confpro::billing {

namespace {

std::string created_key(const domain::Booking& b) {
  return "created=" + std::to_string(to_epoch_ms(b.created_at));
}

bool postpaid(store::Store& store, const std::string& account) {
  auto a = store.get_account(account);
  return a.ok() && !a->account.prepaid;
}

}  // namespace

store::AuditEntry radius_billing_line(const booking::Actor& actor, const std::string& account,
                                      const domain::Booking& booking, TimePoint now,
                                      const std::string& granted) {
  return {0,
          now,
          actor.username,
          kRadiusAuthorizeAction,
          "radius:" + booking.number,
          "account=" + account + " " + created_key(booking) + " granted=" + granted,
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
      return Error(ErrorCode::kPermissionDenied,
                   "billing refused for account '" + account + "'" +
                       (answer.message.empty() ? std::string() : ": " + answer.message),
                   {}, "billing_refused", ErrorParams{{"account", account}});
    case AccessAnswer::Kind::kUnavailable:
      break;
  }
  if (fail_open_ && postpaid(store_, account)) {
    log::get("billing")->warn(
        "RADIUS unavailable ({}): postpaid account '{}' allowed to book '{}' (fail_open)", answer.message,
        account, proposed.name);
    return radius_billing_line(actor, account, proposed, now, "unchecked");
  }
  return Error(ErrorCode::kUnavailable, "billing unavailable: " + answer.message + "; try again later", {},
               "billing_unavailable", ErrorParams{{"account", account}});
}

store::AuditEntry rebind_billing_line(store::AuditEntry line, const domain::Booking& stored) {
  line.target = "radius:" + stored.number;
  const auto start = line.details.find(" created="), end = line.details.find(' ', start + 1);
  if (start != std::string::npos)
    line.details.replace(start + 1, end == std::string::npos ? std::string::npos : end - start - 1,
                         created_key(stored));
  return line;
}

Result<std::optional<std::string>> radius_account_of(store::Store& store, const domain::Booking& booking) {
  store::AuditQuery q;
  q.target = "radius:" + booking.number;
  q.limit = 20;
  auto page = store.list_audit(q);
  if (!page.ok()) return page.error();
  const std::string key = " " + created_key(booking) + " ";
  for (const auto& e : page->items) {
    if (e.action != kRadiusAuthorizeAction || e.details.find(key) == std::string::npos) continue;
    const auto start = e.details.find("account=");
    if (start != 0) continue;
    return std::optional<std::string>(e.details.substr(8, e.details.find(' ') - 8));
  }
  return std::optional<std::string>();
}

}  // namespace confpro::billing
