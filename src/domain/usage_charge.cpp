#include "domain/usage_charge.h"

#include "domain/money.h"

namespace confpro::domain {

namespace {

std::string digits_of(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

}  // namespace

std::int64_t started_minutes(std::chrono::milliseconds duration) {
  const std::int64_t ms = duration.count();
  return ms <= 0 ? 0 : (ms + 59'999) / 60'000;
}

const DialOutRate* dial_out_rate(const TariffPlan& plan, std::string_view number) {
  const std::string dialled = digits_of(number);
  const DialOutRate* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& rate : plan.dial_out) {
    const std::string prefix = digits_of(rate.prefix);
    if (prefix.empty() || prefix.size() <= best_length || dialled.compare(0, prefix.size(), prefix) != 0) continue;
    best = &rate;
    best_length = prefix.size();
  }
  return best;
}

UsageCharge charge_usage(const TariffPlan& plan, std::int64_t package, const std::vector<UsageLeg>& legs) {
  UsageCharge out;
  out.package = package;
  out.included_minutes = plan.included_minutes();
  std::int64_t included_left = out.included_minutes;
  for (const auto& leg : legs) {
    LegCharge c;
    c.connection = leg.connection;
    c.minutes = started_minutes(leg.duration);
    out.participant_minutes += c.minutes;
    if (plan.overage_per_participant_minute) {
      const std::int64_t covered = std::min(c.minutes, included_left);
      included_left -= covered;
      c.overage_minutes = c.minutes - covered;
      c.overage = c.overage_minutes * *plan.overage_per_participant_minute;
    }
    if (leg.dial_out) {
      if (const DialOutRate* rate = dial_out_rate(plan, *leg.dial_out)) c.surcharge = c.minutes * rate->per_minute;
      c.surcharge_kind = "dial-out";
      out.dial_out += c.surcharge;
    } else if (leg.toll_free) {
      c.surcharge = c.minutes * plan.toll_free_per_minute;
      c.surcharge_kind = "toll-free";
      out.toll_free += c.surcharge;
    }
    out.overage_minutes += c.overage_minutes;
    out.overage += c.overage;
    out.legs.push_back(std::move(c));
  }
  return out;
}

std::string UsageCharge::breakdown(const std::string& currency) const {
  std::string out = "package " + format_amount(package);
  if (overage != 0)
    out += " + overage " + format_amount(overage) + " (" + std::to_string(overage_minutes) + " participant-minute" +
           (overage_minutes == 1 ? "" : "s") + " beyond " + std::to_string(included_minutes) + ")";
  if (toll_free != 0) out += " + toll-free " + format_amount(toll_free);
  if (dial_out != 0) out += " + dial-out " + format_amount(dial_out);
  if (total() != package) out += " = " + format_amount(total());
  return out + " " + currency;
}

}  // namespace confpro::domain
