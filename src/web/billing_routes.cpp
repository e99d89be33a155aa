// Tariffs, billing accounts, their statement, credit adjustments and revenue (FEATURES.md P1–P2, issue 16 item 5).
// Amounts are decimal strings ("5.00") in and out, never JSON numbers. An administrator sees and changes every
// account; an organizer sees their own, read-only. Store work runs on the HTTP worker thread that serves the
// request, like the other route groups.
#include <algorithm>
#include <map>

#include "booking/billing.h"
#include "booking/booking_service.h"
#include "common/csv.h"
#include "common/timezone.h"
#include "domain/money.h"
#include "domain/tariff.h"
#include "store/store.h"
#include "web/api_context.h"
#include "web/billing_json.h"
#include "web/json_body.h"

namespace confpro::web {

nlohmann::json tariff_plan_json(const domain::TariffPlan& p) {
  nlohmann::json j = {{"name", p.name},
                      {"max_duration_minutes", p.max_duration_minutes},
                      {"max_participants", p.max_participants},
                      {"price", domain::format_amount(p.price)},
                      {"currency", p.currency},
                      {"included_participant_minutes", p.included_minutes()},
                      {"overage_per_participant_minute", nullptr},
                      {"toll_free_per_minute", domain::format_amount(p.toll_free_per_minute)},
                      {"dial_out", nlohmann::json::array()}};
  if (p.overage_per_participant_minute)
    j["overage_per_participant_minute"] = domain::format_amount(*p.overage_per_participant_minute);
  for (const auto& r : p.dial_out)
    j["dial_out"].push_back({{"prefix", r.prefix}, {"per_minute", domain::format_amount(r.per_minute)}});
  j["accounts"] = p.accounts;
  j["categories"] = p.categories;
  return j;
}

nlohmann::json account_balance_json(const store::AccountBalance& a) {
  return {{"name", a.account.name},
          {"owner", a.account.owner},
          {"prepaid", a.account.prepaid},
          {"type", a.account.prepaid ? "prepaid" : "postpaid"},
          {"currency", a.account.currency},
          {"credit_limit", domain::format_amount(a.account.credit_limit)},
          {"balance", domain::format_amount(a.balance)},
          {"held", domain::format_amount(a.held)},
          {"available", domain::format_amount(a.available())},
          {"created_at", format_iso_utc(a.account.created_at)},
          {"members", a.account.members}};
}

nlohmann::json quote_json(const domain::Quote& q, int duration_minutes, int max_participants) {
  return {{"plan", tariff_plan_json(*q.plan)},
          {"price", domain::format_amount(q.price)},
          {"currency", q.currency},
          {"duration_minutes", duration_minutes},
          {"max_participants", max_participants},
          {"per_minute_terms", domain::per_minute_terms(*q.plan)}};
}

namespace {

// An administrator, the account's owner or one of its members (a shared account).
bool usable_by_caller(const Call& call, const store::BillingAccount& a) {
  return booking::may_use(a, actor_of(call));
}

// "members": a list of usernames and group DNs, tidied (domain::account_members); errors added to `body`.
std::optional<std::vector<std::string>> members_field(JsonBody& body, bool required) {
  const auto* list = body.raw("members", required);
  if (list == nullptr) return std::nullopt;
  std::vector<std::string> entries;
  if (!list->is_array()) {
    body.add_error("members", "must be a list of usernames and group DNs", "type");
    return std::nullopt;
  }
  for (const auto& e : *list) {
    if (!e.is_string()) {
      body.add_error("members", "must be a list of usernames and group DNs (strings)", "type");
      return std::nullopt;
    }
    entries.push_back(e.get<std::string>());
  }
  auto tidy = domain::account_members(entries);
  if (!tidy) {
    const auto& f = tidy.error().fields.at(0);
    body.add_error("members", f.message, f.reason);
    return std::nullopt;
  }
  return *tidy;
}

const std::vector<domain::TariffPlan>& plans_of(const ApiContext& ctx) {
  static const std::vector<domain::TariffPlan> none;
  return ctx.services.bookings ? ctx.services.bookings->options().plans : none;
}

nlohmann::json line_json(const store::LedgerEntry& l) {
  return {{"id", l.id},
          {"at", format_iso_utc(l.at)},
          {"kind", l.kind},
          {"amount", domain::format_amount(l.amount)},
          {"hold", domain::format_amount(l.hold)},
          {"booking_id", l.booking.valid() ? nlohmann::json(l.booking.value()) : nlohmann::json(nullptr)},
          {"actor", l.actor},
          {"note", l.note}};
}

// A positive integer query parameter, `max` at most; an error for `field` otherwise.
std::optional<int> int_param(const Call& call, const char* field, int max, std::vector<FieldError>& errors) {
  const auto text = call.request.param(field);
  if (text.empty()) {
    errors.emplace_back(field, "is required", "required");
    return std::nullopt;
  }
  auto v = parse_id(text);
  if (!v || *v > max) {
    errors.emplace_back(field, "must be an integer from 1 to " + std::to_string(max), "range",
                        ErrorParams{{"min", 1}, {"max", max}});
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

// Whom the caller's bookings are priced for: their category, and `account` when they may use it.
Result<domain::PlanScope> caller_scope(const Call& call, ApiContext& ctx, const std::string& account) {
  domain::PlanScope scope;
  if (ctx.services.bookings) scope.category = ctx.services.bookings->category_of(actor_of(call)).name;
  if (account.empty()) return scope;
  auto a = ctx.services.store->get_account(account);
  if (!a && a.error().code != ErrorCode::kNotFound) return a.error();
  if (!a || !booking::may_use(a->account, actor_of(call)))
    return Error::invalid("account", "no billing account of yours or shared with you has this name", "unknown_account");
  scope.account = account;
  return scope;
}

// GET /api/v1/tariffs/quote?duration_minutes&max_participants[&account]: the price of a booking of that duration
// and size for the caller (their category, the account named), by the plan domain::quote chooses.
HttpResponse quote(const Call& call, ApiContext& ctx) {
  std::vector<FieldError> errors;
  auto minutes = int_param(call, "duration_minutes", 100000, errors);
  auto participants = int_param(call, "max_participants", 100000, errors);
  if (!errors.empty()) return error_response(Error::invalid_fields(errors));
  const auto& plans = plans_of(ctx);
  if (plans.empty())
    return error_response(Error::not_found("no tariff plan is configured ([[billing.plans]])").with_reason("no_plans"));
  auto scope = caller_scope(call, ctx, call.request.param("account"));
  if (!scope) return error_response(scope.error());
  const auto q = domain::quote(plans, *minutes, *participants, *scope);
  if (!q.plan) {
    return error_response(domain::no_plan_error("duration_minutes", *minutes, *participants));
  }
  return json_response(200, quote_json(q, *minutes, *participants));
}

// The account {name} when the caller may see it: an organizer gets the same 403 for another's and for none.
Result<store::AccountBalance> visible_account(const Call& call, ApiContext& ctx) {
  auto a = ctx.services.store->get_account(call.params.at("name"));
  if (!a && a.error().code != ErrorCode::kNotFound) return a.error();
  if (!a || !usable_by_caller(call, a->account)) {
    if (call.principal().is_admin()) return Error::not_found("no such billing account").with_reason("account_not_found");
    return Error::denied("no billing account of yours has this name").with_reason("account_not_found_or_not_yours");
  }
  return a;
}

HttpResponse list_accounts(const Call& call, ApiContext& ctx) {
  auto all = ctx.services.store->list_accounts();
  if (!all) return error_response(all.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& a : *all)
    if (usable_by_caller(call, a.account)) items.push_back(account_balance_json(a));
  return json_response(200, {{"items", items}});
}

// GET /api/v1/accounts/{name}/ledger?limit=&offset=: the statement, newest first.
HttpResponse statement(const Call& call, ApiContext& ctx) {
  int limit = 50, offset = 0;
  std::vector<FieldError> errors;
  read_paging_params(call.request, limit, offset, errors);
  if (!errors.empty()) return error_response(Error::invalid_fields(errors));
  auto a = visible_account(call, ctx);
  if (!a) return error_response(a.error());
  // One more than asked: whether a next page exists, without counting every line.
  auto lines = ctx.services.store->list_ledger(a->account.name, std::min(limit + 1, 1000), offset);
  if (!lines) return error_response(lines.error());
  const bool more = static_cast<int>(lines->size()) > limit;
  nlohmann::json items = nlohmann::json::array();
  for (std::size_t i = 0; i < lines->size() && static_cast<int>(i) < limit; ++i) items.push_back(line_json((*lines)[i]));
  return json_response(200, {{"account", account_balance_json(*a)},
                             {"items", items},
                             {"limit", limit},
                             {"offset", offset},
                             {"has_more", more}});
}

// POST /api/v1/accounts {"name", "owner", "credit", "type": "prepaid"|"postpaid", "credit_limit", "currency",
// "members"}.
HttpResponse create_account(const Call& call, ApiContext& ctx) {
  auto body = JsonBody::parse(call.request.body);
  if (!body) return error_response(body.error());
  auto name = body->string("name", true, 100);
  auto owner = body->string("owner", true, 100);
  auto credit_text = body->string("credit", false, 20).value_or("0");
  auto type = body->string("type", false, 20).value_or("prepaid");
  auto limit_text = body->string("credit_limit", false, 20).value_or("0");
  auto currency = body->string("currency", false, 3).value_or("EUR");
  auto members = members_field(*body, false);
  auto credit = domain::amount_field("credit", credit_text, false);
  if (!credit) body->add_error("credit", credit.error().fields.at(0).message, "bad_amount");
  auto limit = domain::amount_field("credit_limit", limit_text, false);
  if (!limit) body->add_error("credit_limit", limit.error().fields.at(0).message, "bad_amount");
  if (type != "prepaid" && type != "postpaid")
    body->add_error("type", "must be prepaid or postpaid", "one_of", {{"allowed", "prepaid, postpaid"}});
  if (!domain::valid_currency(currency))
    body->add_error("currency", "must be an ISO 4217 code such as EUR", "currency");
  if (name && name->empty()) body->add_error("name", "must not be empty", "required");
  if (auto st = body->finish(); !st) return error_response(st.error());
  if (auto u = ctx.services.store->find_user(*owner); !u) {
    if (u.error().code != ErrorCode::kNotFound) return error_response(u.error());
    return error_response(Error::invalid("owner", "no user named '" + *owner + "'", "unknown_user", {{"username", *owner}}));
  }
  const TimePoint now = ctx.now();
  const bool prepaid = type == "prepaid";
  store::BillingAccount a{0, *name, *owner, prepaid, prepaid ? 0 : *limit, currency, now, members.value_or(std::vector<std::string>{})};
  store::LedgerEntry opening{0, *name, now, "credit", *credit, 0, {}, call.principal().username, "opening credit"};
  auto made = ctx.services.store->insert_account(a, opening);
  if (!made) {
    if (made.error().code == ErrorCode::kAlreadyExists)
      return error_response(Error(ErrorCode::kAlreadyExists, "an account named '" + *name + "' exists",
                                  {FieldError("name", "is taken", "taken")}));
    return error_response(made.error());
  }
  ctx.audit(call, "account.create", "account:" + *name,
            "owner=" + *owner + " " + type + " credit=" + domain::format_amount(*credit) + " " + currency +
                (a.members.empty() ? "" : " members=" + std::to_string(a.members.size())));
  auto stored = ctx.services.store->get_account(*name);
  if (!stored) return error_response(stored.error());
  auto r = json_response(201, account_balance_json(*stored));
  r.add_header("Location", "/api/v1/accounts/" + *name);
  return r;
}

// POST /api/v1/accounts/{name}/adjustments {"amount": "20.00" | "-5.00", "reason"}: a ledger line and its audit
// entry, in one transaction.
HttpResponse adjust(const Call& call, ApiContext& ctx) {
  auto body = JsonBody::parse(call.request.body);
  if (!body) return error_response(body.error());
  auto amount_text = body->string("amount", true, 20);
  auto reason = body->string("reason", true, 500);
  if (amount_text) {
    auto amount = domain::amount_field("amount", *amount_text, true);
    if (!amount) body->add_error("amount", amount.error().fields.at(0).message, "bad_amount",
                                 amount.error().fields.at(0).params);
    else if (*amount == 0) body->add_error("amount", "must not be zero", "not_zero");
  }
  if (reason && reason->find_first_not_of(" \t\r\n") == std::string::npos)
    body->add_error("reason", "is required", "required");
  if (auto st = body->finish(); !st) return error_response(st.error());
  const std::int64_t amount = *domain::parse_amount(*amount_text, true);
  const auto& name = call.params.at("name");
  const TimePoint now = ctx.now();
  store::LedgerEntry line{0, name, now, "adjust", amount, 0, {}, call.principal().username, *reason};
  store::AuditEntry audit{0, now, call.principal().username, "account.adjust", "account:" + name,
                          domain::format_amount(amount) + ": " + *reason, "web"};
  auto stored = ctx.services.store->append_ledger(line, audit);
  if (!stored) {
    if (stored.error().code == ErrorCode::kNotFound)
      return error_response(Error::not_found("no such billing account").with_reason("account_not_found"));
    return error_response(stored.error());
  }
  auto a = ctx.services.store->get_account(name);
  if (!a) return error_response(a.error());
  return json_response(201, {{"entry", line_json(*stored)}, {"account", account_balance_json(*a)}});
}

// PUT /api/v1/accounts/{name}/members {"members": [usernames and group DNs]}: who besides the owner may pay with
// the account and see it (a shared account); [] = the owner only. Audited.
HttpResponse set_members(const Call& call, ApiContext& ctx) {
  auto body = JsonBody::parse(call.request.body);
  if (!body) return error_response(body.error());
  auto members = members_field(*body, true);
  if (auto st = body->finish(); !st) return error_response(st.error());
  const auto& name = call.params.at("name");
  std::string listed;
  for (const auto& m : *members) listed += (listed.empty() ? "" : "; ") + m;
  store::AuditEntry audit{0, ctx.now(), call.principal().username, "account.members", "account:" + name,
                          listed.empty() ? "owner only" : listed, "web"};
  if (auto st = ctx.services.store->set_account_members(name, *members, audit); !st) {
    if (st.error().code == ErrorCode::kNotFound)
      return error_response(Error::not_found("no such billing account").with_reason("account_not_found"));
    return error_response(st.error());
  }
  auto a = ctx.services.store->get_account(name);
  if (!a) return error_response(a.error());
  return json_response(200, account_balance_json(*a));
}

// Splits `amount` over `weights` in proportion, exactly (largest remainder: the parts add up to `amount`).
std::vector<std::int64_t> split(std::int64_t amount, const std::vector<std::int64_t>& weights) {
  std::int64_t total = 0;
  for (auto w : weights) total += w;
  std::vector<std::int64_t> parts(weights.size(), 0);
  if (total <= 0) return parts;
  std::vector<std::pair<std::int64_t, std::size_t>> remainders;
  std::int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    // 128-bit: amount (≤ 1e11) × milliseconds may overflow 64 bits.
    __extension__ using Wide = __int128;
    const Wide product = static_cast<Wide>(amount) * weights[i];
    parts[i] = static_cast<std::int64_t>(product / total);
    remainders.emplace_back(static_cast<std::int64_t>(product % total), i);
    given += parts[i];
  }
  std::sort(remainders.begin(), remainders.end(), [](auto a, auto b) { return a.first > b.first; });
  for (std::size_t k = 0; given < amount && k < remainders.size(); ++k, ++given) ++parts[remainders[k].second];
  return parts;
}

// GET /api/v1/reports/revenue?from=&to=&by=day|owner|access_number[&format=csv]: what the capture lines took
// (conferences held and paid), per local day, per booking owner, or per access number — a booking's amount
// split over the access numbers its callers came in on, in proportion to their connection time ("" = direct
// dialling and dial-outs). An organizer sees their own bookings' revenue.
HttpResponse revenue(const Call& call, ApiContext& ctx) {
  std::optional<TimePoint> from, to;
  std::vector<FieldError> errors;
  read_range(call, ctx, from, to, errors, true);
  const auto by = call.request.param("by", "day");
  if (by != "day" && by != "owner" && by != "access_number")
    errors.emplace_back("by", "must be day, owner or access_number", "one_of",
                        ErrorParams{{"allowed", "day, owner, access_number"}});
  const auto format = call.request.param("format", "json");
  if (format != "json" && format != "csv")
    errors.emplace_back("format", "must be json or csv", "one_of", ErrorParams{{"allowed", "json, csv"}});
  if (!errors.empty()) return error_response(Error::invalid_fields(errors));
  if (*to - *from > std::chrono::days(3700)) return error_response(Error::invalid("to", "range longer than 10 years"));
  auto lines = ctx.services.store->list_captures(*from, *to);
  if (!lines) return error_response(lines.error());

  struct Sum {
    std::int64_t amount = 0;
    std::int64_t captures = 0;
  };
  std::map<std::pair<std::string, std::string>, Sum> rows;  // (key, currency)
  std::map<std::string, Sum> totals;                        // per currency
  for (const auto& c : *lines) {
    if (!owned_by_caller(call, c.owner)) continue;
    const std::int64_t amount = -c.entry.amount;
    totals[c.currency].amount += amount;
    ++totals[c.currency].captures;
    if (by == "access_number") {
      std::vector<std::int64_t> weights;
      for (const auto& [number, ms] : c.access_ms) weights.push_back(ms);
      auto parts = split(amount, weights);
      std::int64_t given = 0;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (parts[i] == 0) continue;
        auto& row = rows[{c.access_ms[i].first, c.currency}];
        row.amount += parts[i];
        ++row.captures;
        given += parts[i];
      }
      if (given != amount) {  // nobody connected (or no time): the whole amount under ""
        auto& row = rows[{"", c.currency}];
        row.amount += amount - given;
        ++row.captures;
      }
      continue;
    }
    const std::string key = by == "owner" ? c.owner : format_local_time(c.entry.at, ctx.options.time_zone).substr(0, 10);
    auto& row = rows[{key, c.currency}];
    row.amount += amount;
    ++row.captures;
  }

  if (format == "csv") {
    HttpResponse r;
    r.content_type = "text/csv; charset=utf-8";
    r.add_header("Content-Disposition", "attachment; filename=\"confpro-revenue-" + by + ".csv\"");
    r.body = by + ",currency,amount,captures\r\n";
    for (const auto& [key, sum] : rows)
      r.body += csv_field(key.first) + "," + key.second + "," + domain::format_amount(sum.amount) + "," +
                std::to_string(sum.captures) + "\r\n";
    for (const auto& [currency, sum] : totals)
      r.body += "total," + currency + "," + domain::format_amount(sum.amount) + "," + std::to_string(sum.captures) + "\r\n";
    return r;
  }
  nlohmann::json items = nlohmann::json::array(), total_items = nlohmann::json::array();
  for (const auto& [key, sum] : rows)
    items.push_back({{"key", key.first},
                     {"currency", key.second},
                     {"amount", domain::format_amount(sum.amount)},
                     {"captures", sum.captures}});
  for (const auto& [currency, sum] : totals)
    total_items.push_back(
        {{"currency", currency}, {"amount", domain::format_amount(sum.amount)}, {"captures", sum.captures}});
  return json_response(200, {{"from", format_iso_utc(*from)},
                             {"to", format_iso_utc(*to)},
                             {"by", by},
                             {"time_zone", ctx.options.time_zone},
                             {"items", items},
                             {"totals", total_items}});
}

}  // namespace

void add_billing_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/tariffs", Access::kSignedIn, [&ctx](const Call& call) {
    // An organizer sees the public plans and those sold to their category or to an account they may use.
    std::vector<std::string> usable;
    if (!call.principal().is_admin()) {
      auto all = ctx.services.store->list_accounts();
      if (!all) return error_response(all.error());
      for (const auto& a : *all)
        if (usable_by_caller(call, a.account)) usable.push_back(a.account.name);
    }
    const std::string category =
        ctx.services.bookings ? ctx.services.bookings->category_of(actor_of(call)).name : "";
    nlohmann::json items = nlohmann::json::array();
    for (const auto& p : plans_of(ctx)) {
      const bool sold_to_caller =
          (p.accounts.empty() && p.categories.empty()) ||
          std::find(p.categories.begin(), p.categories.end(), category) != p.categories.end() ||
          std::any_of(usable.begin(), usable.end(),
                      [&](const std::string& a) { return std::find(p.accounts.begin(), p.accounts.end(), a) != p.accounts.end(); });
      if (call.principal().is_admin() || sold_to_caller) items.push_back(tariff_plan_json(p));
    }
    return json_response(200, {{"items", items}});
  });
  router.add("GET", "/api/v1/tariffs/quote", Access::kSignedIn, [&ctx](const Call& call) { return quote(call, ctx); });
  router.add("GET", "/api/v1/accounts", Access::kSignedIn,
             [&ctx](const Call& call) { return list_accounts(call, ctx); });
  router.add("POST", "/api/v1/accounts", Access::kAdmin, [&ctx](const Call& call) { return create_account(call, ctx); });
  router.add("GET", "/api/v1/accounts/{name}", Access::kSignedIn, [&ctx](const Call& call) {
    auto a = visible_account(call, ctx);
    if (!a) return error_response(a.error());
    return json_response(200, account_balance_json(*a));
  });
  router.add("GET", "/api/v1/accounts/{name}/ledger", Access::kSignedIn,
             [&ctx](const Call& call) { return statement(call, ctx); });
  router.add("PUT", "/api/v1/accounts/{name}/members", Access::kAdmin,
             [&ctx](const Call& call) { return set_members(call, ctx); });
  router.add("POST", "/api/v1/accounts/{name}/adjustments", Access::kAdmin,
             [&ctx](const Call& call) { return adjust(call, ctx); });
  router.add("GET", "/api/v1/reports/revenue", Access::kSignedIn, [&ctx](const Call& call) { return revenue(call, ctx); });
}

}  // namespace confpro::web
