// `confpro tariff list|quote` (issue 16 P1): the [[billing.plans]] of the configuration and the price they give
// a booking. Reads the configuration only (no database). Prices are decimal strings ("5.00").
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli_commands.h"
#include "app/context.h"
#include "domain/money.h"
#include "domain/tariff.h"
#include "web/billing_json.h"

namespace confpro::app {

void add_tariff_commands(CLI::App& app, Runner& selected) {
  auto* tariff = app.add_subcommand("tariff", "tariff plans: list, quote (issue 16)");
  tariff->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  auto* list = tariff->add_subcommand("list", "the [[billing.plans]] of the configuration");
  list->add_flag("--json", *list_json, "print JSON");
  list->callback([&selected, list_json] {
    selected = [list_json](const Config& config) {
      if (*list_json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& p : config.plans) out.push_back(web::tariff_plan_json(p));
        std::cout << out.dump(2) << "\n";
        return 0;
      }
      if (config.plans.empty()) std::printf("no tariff plan is configured ([[billing.plans]])\n");
      for (const auto& p : config.plans) {
        std::printf("%-20s up to %5d min, %5d participants  %12s %s\n", p.name.c_str(), p.max_duration_minutes,
                    p.max_participants, domain::format_amount(p.price).c_str(), p.currency.c_str());
        if (const auto terms = domain::per_minute_terms(p); !terms.empty())
          std::printf("%-20s   %s\n", "", terms.c_str());
        std::string sold;
        for (const auto& a : p.accounts) sold += (sold.empty() ? "account " : ", account ") + a;
        for (const auto& c : p.categories) sold += (sold.empty() ? "category " : ", category ") + c;
        if (!sold.empty()) std::printf("%-20s   sold to %s only\n", "", sold.c_str());
      }
      return 0;
    };
  });

  struct QuoteFlags {
    int duration = 0, participants = 0;
    bool json = false;
    std::string account, category;
  };
  auto qf = std::make_shared<QuoteFlags>();
  auto* quote = tariff->add_subcommand("quote", "the price of a booking: the cheapest plan covering it");
  quote->add_option("--duration", qf->duration, "duration in minutes")->required()->check(CLI::Range(1, 100000));
  quote->add_option("--participants", qf->participants, "maximum participants")->required()->check(CLI::Range(1, 100000));
  quote->add_flag("--json", qf->json, "print JSON");
  quote->add_option("--account", qf->account, "the paying account: plans sold to it come first");
  quote->add_option("--category", qf->category, "the booking category: plans sold to it come next");
  quote->callback([&selected, qf] {
    selected = [qf](const Config& config) {
      if (config.plans.empty())
        return fail(Error::not_found("no tariff plan is configured ([[billing.plans]])").with_reason("no_plans"), qf->json);
      const bool known = qf->category.empty() ||
                         std::any_of(config.booking.categories.begin(), config.booking.categories.end(),
                                     [&](const domain::BookingCategory& c) { return c.name == qf->category; });
      if (!known)
        return fail(Error::invalid("category", "no [[booking.category]] is named '" + qf->category + "'"), qf->json);
      const auto q = domain::quote(config.plans, qf->duration, qf->participants,
                                   domain::PlanScope{qf->account, qf->category});
      if (!q.plan) return fail(domain::no_plan_error("duration", qf->duration, qf->participants), qf->json);
      if (qf->json) {
        std::cout << web::quote_json(q, qf->duration, qf->participants).dump(2) << "\n";
      } else {
        std::printf("%s %s (plan %s)\n", domain::format_amount(q.price).c_str(), q.currency.c_str(),
                    q.plan->name.c_str());
        if (const auto terms = domain::per_minute_terms(*q.plan); !terms.empty())
          std::printf("plus, at the end, per started minute: %s\n", terms.c_str());
      }
      return 0;
    };
  });
}

}  // namespace confpro::app
