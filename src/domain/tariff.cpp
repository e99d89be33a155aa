#include "domain/tariff.h"

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

}  // namespace confpro::domain
