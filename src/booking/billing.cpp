#include "booking/billing.h"

#include <algorithm>

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

bool may_use(const store::BillingAccount& account, const Actor& who) {
  return who.admin || account.owner == who.username || domain::member_of(account.members, requester_of(who));
}

Result<std::vector<store::LedgerEntry>> reserve_for(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                                                    const domain::Booking& booking, const std::string& account,
                                                    const Actor& actor, TimePoint now) {
  auto found = store.get_account(account);
  if (!found.ok()) {
    if (found.error().code != ErrorCode::kNotFound) return found.error();
    return Error::invalid("account", "no billing account named '" + account + "'", "unknown_account",
                          {{"account", account}});
  }
  if (!may_use(found->account, actor))
    return Error::denied("the billing account '" + account + "' is not yours or shared with you");
  const auto quote = domain::quote(plans, booking, account);
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
  for (const auto& [account, held] : holds) {
    const auto quote = domain::quote(plans, next, account);
    if (!quote.plan) return no_plan(next);
    const std::int64_t delta = quote.price - held;
    if (delta == 0) continue;
    out.push_back(line(account, delta > 0 ? "reserve" : "release", 0, delta, next, actor, now,
                       "booking changed: plan " + quote.plan->name + ", " + domain::format_amount(quote.price) +
                           " " + quote.currency));
  }
  return out;
}

Result<std::vector<domain::UsageLeg>> usage_legs(store::Store& store, const domain::Booking& booking,
                                                 TimePoint now) {
  auto numbers = store.list_access_numbers();
  if (!numbers.ok()) return numbers.error();
  store::SessionQuery q;
  q.booking = booking.id;
  q.limit = 1000;
  auto sessions = store.list_sessions(q);
  if (!sessions.ok()) return sessions.error();
  std::vector<store::ParticipantConnection> connections;
  for (const auto& s : sessions->items) {
    auto c = store.list_connections(s.session.id);
    if (!c.ok()) return c.error();
    connections.insert(connections.end(), c->begin(), c->end());
  }
  std::stable_sort(connections.begin(), connections.end(), [](const auto& a, const auto& b) {
    return a.joined_at != b.joined_at ? a.joined_at < b.joined_at : a.id.value() < b.id.value();
  });
  const TimePoint end = booking.ended_at.value_or(now);
  std::vector<domain::UsageLeg> legs;
  for (const auto& c : connections) {
    domain::UsageLeg leg;
    leg.connection = c.id.value();
    const TimePoint left = std::min(c.left_at.value_or(end), end);
    leg.duration = std::chrono::duration_cast<std::chrono::milliseconds>(left - c.joined_at);
    if (dialled_out(c)) {
      leg.dial_out = c.caller_number;
    } else {
      for (const auto& n : *numbers)
        if (n.number == c.access_number && !c.access_number.empty()) leg.toll_free = n.kind == "toll-free";
    }
    legs.push_back(std::move(leg));
  }
  return legs;
}

Result<std::optional<BookingCharge>> charge_of(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                                               const domain::Booking& booking, const std::string& account,
                                               std::int64_t package, TimePoint now) {
  const auto quote = domain::quote(plans, booking, account);
  if (!quote.plan) return std::optional<BookingCharge>();
  auto legs = usage_legs(store, booking, now);
  if (!legs.ok()) return legs.error();
  return std::optional<BookingCharge>(BookingCharge{domain::charge_usage(*quote.plan, package, *legs), quote.currency});
}

Result<std::vector<store::LedgerEntry>> settle_for(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                                                   const domain::Booking& ended, const Actor& actor, TimePoint now) {
  auto holds = store.holds_of(ended.id);
  if (!holds.ok()) return holds.error();
  std::vector<store::LedgerEntry> out;
  const bool used = ended.opened_at.has_value();
  if (used && holds->empty()) {
    // A package priced 0.00 (pay per use) holds nothing: its use is still captured, from the account its
    // reservation named, unless it was captured already.
    auto lines = store.ledger_of_booking(ended.id);
    if (!lines.ok()) return lines.error();
    const bool captured = std::any_of(lines->begin(), lines->end(), [](const auto& l) { return l.kind == "capture"; });
    if (!lines->empty() && !captured) holds->emplace_back(lines->front().account, 0);
  }
  bool priced = false;  // the use is charged once, to the first account holding for the booking
  for (const auto& [account, held] : *holds) {
    if (!used) {
      out.push_back(line(account, "release", 0, -held, ended, actor, now, "lapsed unused"));
      continue;
    }
    std::int64_t amount = held;
    std::string note = "conference held";
    if (!priced) {
      priced = true;
      auto charge = charge_of(store, plans, ended, account, held, now);
      if (!charge.ok()) return charge.error();
      if (*charge) {
        amount = (*charge)->charge.total();
        note += ": " + (*charge)->charge.breakdown((*charge)->currency);
      }
    }
    if (amount == 0 && held == 0) continue;  // nothing to settle
    out.push_back(line(account, "capture", -amount, -held, ended, actor, now, std::move(note)));
  }
  return out;
}

}  // namespace confpro::booking
