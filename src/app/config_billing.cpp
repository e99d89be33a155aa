// [billing]: tariff plans (issue 16 P1). Each [[billing.plans]] table prices a booking up to its duration and
// participants; amounts are decimal strings read into integer minor units (domain/money.h). Optional per-minute
// terms (domain/tariff.h): overage_per_participant_minute, included_participant_minutes, toll_free_per_minute and
// [[billing.plans.dial_out]] {prefix, per_minute}; [billing.surcharges] sets the toll-free and dial-out rates of
// every plan that sets none of its own. `accounts` / `categories` sell a plan only to those billing accounts /
// [[booking.category]] names (domain::quote: account, then category, then the public plans). The coupling
// (P3): `coupling` = "ledger" | "radius" | "http", `fail_open`, [billing.radius] (billing/radius_client.h)
// and [billing.http] (billing/http_billing.h).
#include <algorithm>

#include "app/config.h"
#include "app/config_components.h"
#include "domain/money.h"

namespace confpro::app {

namespace {

void read_radius(ConfigReader r, billing::RadiusOptions& o, bool required) {
  r.get("servers", o.servers);
  r.get("secret", o.secret);
  r.get_int("timeout_ms", o.timeout_ms, 100, 60000);
  r.get_int("retries", o.retries, 0, 10);
  r.get("nas_identifier", o.nas_identifier);
  r.get("accounting", o.accounting);
  r.get_int("interim_seconds", o.interim_seconds, 0, 86400);
  r.get("enforce_credit", o.enforce_credit);
  r.get_int("reauthorize_seconds", o.reauthorize_seconds, 5, 86400);
  if (required && o.servers.empty()) r.fail("servers", "is required with coupling = \"radius\" (\"host:port\", …)");
  if (required && o.secret.empty()) r.fail("secret", "is required with coupling = \"radius\"");
  if (o.servers.size() > 8) r.fail("servers", "at most 8 servers");
  for (const auto& s : o.servers) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == s.size() ||
        s.find_first_not_of("0123456789", colon + 1) != std::string::npos)
      r.fail("servers", "'" + s + "' is not \"host:port\"");
  }
  if (o.secret.find_first_of(":, \t") != std::string::npos)
    r.fail("secret", "may not contain ':', ',' or spaces");
  if (o.nas_identifier.empty()) r.fail("nas_identifier", "may not be empty");
  r.finish();
}

// [billing.http] (billing/http_billing.h).
void read_http(ConfigReader r, billing::HttpBillingOptions& o, bool required) {
  r.get("url", o.url);
  r.get("secret", o.secret);
  r.get_int("timeout_ms", o.timeout_ms, 100, 60000);
  r.get_int("connect_timeout_ms", o.connect_timeout_ms, 50, 60000);
  r.get("ca_file", o.ca_file);
  r.get_int("reserve_retries", o.reserve_retries, 0, 5);
  while (!o.url.empty() && o.url.back() == '/') o.url.pop_back();
  if (required && o.url.empty())
    r.fail("url", "is required with coupling = \"http\" (the billing API's base URL)");
  if (!o.url.empty() && o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0)
    r.fail("url", "must start with http:// or https://");
  if (required && o.secret.empty()) r.fail("secret", "is required with coupling = \"http\" (the HMAC key)");
  r.finish();
}

// A per-minute rate ("0.05"): minor units, at most domain::kMaxRatePerMinute; an error names `key`. nullopt when
// absent (`required`: that is an error too) or bad.
std::optional<std::int64_t> rate_of(ConfigReader& r, const std::string& key, bool required = false) {
  std::optional<std::string> text;
  r.get(key, text);
  if (!text) {
    if (required) r.fail(key, "is required (a decimal amount per minute such as \"0.02\")");
    return std::nullopt;
  }
  const auto amount = domain::parse_amount(*text);
  if (!amount || *amount > domain::kMaxRatePerMinute) {
    r.fail(key, "must be a decimal amount per minute such as \"0.05\" (0 to " +
                    domain::format_amount(domain::kMaxRatePerMinute) + ", at most two decimals), got '" + *text +
                    "'");
    return std::nullopt;
  }
  return amount;
}

// The surcharges a plan or [billing.surcharges] sets: toll_free_per_minute and [[….dial_out]] {prefix,
// per_minute}. Returns whether the table set any of them.
bool read_surcharges(ConfigReader& r, domain::TariffPlan& p) {
  bool any = false;
  if (auto rate = rate_of(r, "toll_free_per_minute")) {
    p.toll_free_per_minute = *rate;
    any = true;
  }
  auto tables = r.tables("dial_out");
  if (!tables.empty()) {
    any = true;
    p.dial_out.clear();
  }
  if (tables.size() > 1000) r.fail("dial_out", "at most 1000 prefixes");
  for (size_t i = 0; i < tables.size() && i < 1000; ++i) {
    ConfigReader d = r.sub(tables[i], "dial_out[" + std::to_string(i) + "]");
    domain::DialOutRate rate;
    d.get("prefix", rate.prefix);
    const std::string digits = rate.prefix.substr(!rate.prefix.empty() && rate.prefix[0] == '+' ? 1 : 0);
    if (digits.empty() || digits.size() > 15 || digits.find_first_not_of("0123456789") != std::string::npos)
      d.fail("prefix", "must be 1 to 15 digits, optionally after '+' (such as \"+33\"), got '" + rate.prefix + "'");
    if (auto per_minute = rate_of(d, "per_minute", true)) rate.per_minute = *per_minute;
    for (const auto& other : p.dial_out)
      if (other.prefix == rate.prefix) d.fail("prefix", "duplicate prefix '" + rate.prefix + "'");
    d.finish();
    p.dial_out.push_back(std::move(rate));
  }
  return any;
}

}  // namespace

void read_billing(ConfigReader root, const domain::BookingPolicy& policy, std::vector<domain::TariffPlan>& plans,
                  booking::CdrOptions& cdr, BillingSettings& settings) {
  root.get_enum("coupling", settings.coupling, {"ledger", "radius", "http"});
  root.get("fail_open", settings.fail_open);
  read_radius(root.sub(root.table("radius"), "radius"), settings.radius, settings.coupling == "radius");
  read_http(root.sub(root.table("http"), "http"), settings.http, settings.coupling == "http");
  // [billing.surcharges]: the surcharges of every plan that sets none of its own.
  domain::TariffPlan defaults;
  bool default_surcharges = false;
  if (const toml::table* t = root.table("surcharges")) {
    ConfigReader r = root.sub(t, "surcharges");
    default_surcharges = read_surcharges(r, defaults);
    r.finish();
  }
  auto tables = root.tables("plans");
  for (size_t i = 0; i < tables.size(); ++i) {
    ConfigReader r = root.sub(tables[i], "plans[" + std::to_string(i) + "]");
    domain::TariffPlan p;
    std::string price;
    r.get("name", p.name);
    r.get_int("max_duration_minutes", p.max_duration_minutes, 1, 100000);
    r.get_int("max_participants", p.max_participants, 2, 100000);
    r.get("price", price);
    r.get("currency", p.currency);
    if (p.name.empty()) r.fail("name", "is required");
    if (p.max_duration_minutes == 0) r.fail("max_duration_minutes", "is required");
    if (p.max_participants == 0) r.fail("max_participants", "is required");
    if (auto amount = domain::parse_amount(price)) {
      p.price = *amount;
    } else {
      r.fail("price", "must be a decimal amount such as \"5.00\" (0 to 1000000000.00), got '" + price + "'");
    }
    p.overage_per_participant_minute = rate_of(r, "overage_per_participant_minute");
    long long included = -1;
    r.get_int("included_participant_minutes", included, 0, 100'000'000);
    if (included >= 0) {
      p.included_participant_minutes = included;
      if (!p.overage_per_participant_minute)
        r.fail("included_participant_minutes", "has no effect without overage_per_participant_minute");
    }
    if (!read_surcharges(r, p) && default_surcharges) {
      p.toll_free_per_minute = defaults.toll_free_per_minute;
      p.dial_out = defaults.dial_out;
    }
    if (!domain::valid_currency(p.currency))
      r.fail("currency", "must be an ISO 4217 code such as \"EUR\", got '" + p.currency + "'");
    r.get("accounts", p.accounts);
    for (const auto& a : p.accounts)
      if (a.empty() || a.size() > 100) r.fail("accounts", "an account name is 1 to 100 characters");
    r.get("categories", p.categories);
    for (const auto& c : p.categories) {
      const bool known = std::any_of(policy.categories.begin(), policy.categories.end(),
                                     [&](const domain::BookingCategory& k) { return k.name == c; });
      if (!known) r.fail("categories", "no [[booking.category]] is named '" + c + "'");
    }
    for (const auto& other : plans)
      if (!p.name.empty() && other.name == p.name) r.fail("name", "duplicate plan '" + p.name + "'");
    r.finish();
    plans.push_back(std::move(p));
  }
  cdr.plans = plans;
  if (const toml::table* t = root.table("cdr")) {  // [billing.cdr]: the CDR files (booking/cdr_exporter.h)
    ConfigReader r = root.sub(t, "cdr");
    r.get("dir", cdr.dir);
    long long interval = cdr.interval.count();
    r.get_int("interval_seconds", interval, 1, 3600);
    cdr.interval = std::chrono::seconds(interval);
    r.get_int("rotate_bytes", cdr.rotate_bytes, 0, 1LL << 40);
    r.get("rotate_daily", cdr.rotate_daily);
    r.finish();
  }
  root.finish();
}

}  // namespace confpro::app
