#include "booking/billing.h"

#include "domain/money.h"

namespace confpro::booking {

namespace {

Error no_plan(const domain::Booking& b) {
  return domain::no_plan_error("account", b.duration_minutes, b.max_participants);
}

store::LedgerEntry line(const std::string& account, const char* kind, std::int64_t amount, std::int64_t hold,
                        const domain::Booking& b, const Actor& actor, TimePoint now, std::string note) {
  return store::LedgerEntry{0, account, now, kind, amount, hold, b.id, actor.username, std::move(note)};
}

}  // namespace

Result<std::vector<store::LedgerEntry>> reserve_for(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                                                    const domain::Booking& booking, const std::string& account,
                                                    const Actor& actor, TimePoint now) {
  auto found = store.get_account(account);
  if (!found.ok()) {
    if (found.error().code != ErrorCode::kNotFound) return found.error();
    return Error::invalid("account", "no billing account named '" + account + "'", "unknown_account",
                          {{"account", account}});
  }
  if (!actor.admin && found->account.owner != booking.owner)
    return Error::denied("the billing account '" + account + "' is not yours");
  const auto quote = domain::quote(plans, booking);
  if (!quote.plan) return no_plan(booking);
  if (quote.currency != found->account.currency)
    return Error::invalid("account",
                          "the account is in " + found->account.currency + ", the tariff in " + quote.currency,
                          "currency_mismatch");
  return std::vector<store::LedgerEntry>{line(account, "reserve", 0, quote.price, booking, actor, now,
                                              "plan " + quote.plan->name + ": " +
                                                  domain::format_amount(quote.price) + " " + quote.currency)};
}

Result<std::vector<store::LedgerEntry>> rehold_for(const std::vector<domain::TariffPlan>& plans,
                                                   const domain::Booking& next,
                                                   const std::vector<std::pair<std::string, std::int64_t>>& holds,
                                                   const Actor& actor, TimePoint now) {
  std::vector<store::LedgerEntry> out;
  if (holds.empty()) return out;
  const auto quote = domain::quote(plans, next);
  if (!quote.plan) return no_plan(next);
  for (const auto& [account, held] : holds) {
    const std::int64_t delta = quote.price - held;
    if (delta == 0) continue;
    out.push_back(line(account, delta > 0 ? "reserve" : "release", 0, delta, next, actor, now,
                       "booking changed: plan " + quote.plan->name + ", " + domain::format_amount(quote.price) +
                           " " + quote.currency));
  }
  return out;
}

Result<std::vector<store::LedgerEntry>> settle_for(store::Store& store, const domain::Booking& ended,
                                                   const Actor& actor, TimePoint now) {
  auto holds = store.holds_of(ended.id);
  if (!holds.ok()) return holds.error();
  std::vector<store::LedgerEntry> out;
  const bool used = ended.opened_at.has_value();
  for (const auto& [account, held] : *holds) {
    if (used)
      out.push_back(line(account, "capture", -held, -held, ended, actor, now, "conference held"));
    else
      out.push_back(line(account, "release", 0, -held, ended, actor, now, "lapsed unused"));
  }
  return out;
}

}  // namespace confpro::booking
