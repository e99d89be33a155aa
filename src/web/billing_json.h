// The JSON of billing values (issue 16), shared by the API (billing_routes.cpp) and `confpro account|tariff
// --json`: amounts as decimal strings ("5.00"), never numbers.
// Thread safety: plain functions.
#pragma once

#include <nlohmann/json.hpp>

#include "domain/tariff.h"
#include "store/store.h"

namespace confpro::web {

// {name, max_duration_minutes, max_participants, price, currency}
nlohmann::json tariff_plan_json(const domain::TariffPlan& plan);
// {name, owner, prepaid, type, currency, credit_limit, balance, held, available, created_at}
// A priced booking (`quote.plan` set): {plan, price, currency, duration_minutes, max_participants}
nlohmann::json quote_json(const domain::Quote& quote, int duration_minutes, int max_participants);
nlohmann::json account_balance_json(const store::AccountBalance& account);

}  // namespace confpro::web
