#include "domain/tariff.h"

#include <algorithm>

#include "domain/money.h"

namespace confpro::domain {

namespace {

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return !name.empty() && std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Quote quote(const std::vector<TariffPlan>& plans, int duration_minutes, int max_participants,
            const PlanScope& scope) {
  // Tier 0: sold to the account; 1: sold to the category; 2: public.
  const auto tier_of = [&](const TariffPlan& p) {
    if (listed(p.accounts, scope.account)) return 0;
    if (listed(p.categories, scope.category)) return 1;
    if (p.accounts.empty() && p.categories.empty()) return 2;
    return -1;  // sold to others only
  };
  for (int tier = 0; tier <= 2; ++tier) {
    Quote q;
    for (const auto& p : plans) {
      if (tier_of(p) != tier) continue;
      if (p.max_duration_minutes < duration_minutes || p.max_participants < max_participants) continue;
      if (!q.plan || p.price < q.price) {
        q.plan = &p;
        q.price = p.price;
        q.currency = p.currency;
      }
    }
    if (q.plan) return q;
  }
  return Quote{};
}

Quote quote(const std::vector<TariffPlan>& plans, const Booking& b, const std::string& account) {
  return quote(plans, b.duration_minutes, b.max_participants, PlanScope{account, b.category});
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
