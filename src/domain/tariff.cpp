#include "domain/tariff.h"

#include "domain/money.h"

namespace confpro::domain {

Quote quote(const std::vector<TariffPlan>& plans, int duration_minutes, int max_participants) {
  Quote q;
  for (const auto& p : plans) {
    if (p.max_duration_minutes < duration_minutes || p.max_participants < max_participants) continue;
    if (!q.plan || p.price < q.price) {
      q.plan = &p;
      q.price = p.price;
      q.currency = p.currency;
    }
  }
  return q;
}

Quote quote(const std::vector<TariffPlan>& plans, const Booking& b) {
  return quote(plans, b.duration_minutes, b.max_participants);
}

Error no_plan_error(const std::string& field, int duration_minutes, int max_participants) {
  return Error::invalid(field,
                        "no tariff plan covers " + std::to_string(duration_minutes) + " minutes and " +
                            std::to_string(max_participants) + " participants",
                        "no_plan",
                        {{"duration_minutes", std::int64_t{duration_minutes}},
                         {"max_participants", std::int64_t{max_participants}}});
}

std::string per_minute_terms(const TariffPlan& plan) {
  std::string out;
  const auto add = [&out](const std::string& part) { out += (out.empty() ? "" : "; ") + part; };
  if (plan.overage_per_participant_minute)
    add("overage " + format_amount(*plan.overage_per_participant_minute) + " per participant-minute beyond " +
        std::to_string(plan.included_minutes()));
  if (plan.toll_free_per_minute > 0) add("toll-free " + format_amount(plan.toll_free_per_minute) + " per minute");
  if (!plan.dial_out.empty()) {
    std::string rates;
    for (const auto& r : plan.dial_out)
      rates += (rates.empty() ? "" : ", ") + r.prefix + " " + format_amount(r.per_minute);
    add("dial-out " + rates + " per minute");
  }
  return out;
}

}  // namespace confpro::domain
