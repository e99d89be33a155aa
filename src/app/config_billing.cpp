// [billing]: tariff plans (issue 16 P1). Each [[billing.plans]] table prices a booking up to its duration and
// participants; amounts are decimal strings read into integer minor units (domain/money.h).
#include "app/config_components.h"
#include "domain/money.h"

namespace confpro::app {

void read_billing(ConfigReader root, std::vector<domain::TariffPlan>& plans, booking::CdrOptions& cdr) {
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
    if (!domain::valid_currency(p.currency))
      r.fail("currency", "must be an ISO 4217 code such as \"EUR\", got '" + p.currency + "'");
    for (const auto& other : plans)
      if (!p.name.empty() && other.name == p.name) r.fail("name", "duplicate plan '" + p.name + "'");
    r.finish();
    plans.push_back(std::move(p));
  }
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
