#include "app/context.h"

#include <cstdio>
#include <iostream>
#include <cstdlib>
#include <sstream>

#include "booking/notification_templates.h"
#include "common/log.h"
#include "store/fault_injection.h"
#include "web/http_types.h"

namespace confpro::app {

namespace {
// Tests only (issue 13): CONFPRO_TEST_STORE_DELAY_MS=N makes every store call wait N ms (but the methods listed,
// comma-separated, in CONFPRO_TEST_STORE_DELAY_EXCEPT), to show what must not wait for the database. Not a
// setting: the end-to-end harness sets it in the environment of the server it starts.
std::unique_ptr<store::Store> slow_store_for_tests(std::unique_ptr<store::Store> store) {
  const char* delay = std::getenv("CONFPRO_TEST_STORE_DELAY_MS");
  const int ms = delay ? std::atoi(delay) : 0;
  if (ms <= 0) return store;
  std::vector<std::string> except;
  if (const char* list = std::getenv("CONFPRO_TEST_STORE_DELAY_EXCEPT")) {
    std::istringstream in(list);
    for (std::string method; std::getline(in, method, ',');)
      if (!method.empty()) except.push_back(method);
  }
  log::get("app")->warn("CONFPRO_TEST_STORE_DELAY_MS: every store call waits {} ms ({} methods excepted) — tests only",
                        ms, except.size());
  auto slow = std::make_unique<store::FaultInjectingStore>(std::move(store));
  slow->set_delay(std::chrono::milliseconds(ms), std::move(except));
  return slow;
}
}  // namespace

Result<std::unique_ptr<Context>> open_context(const Config& config) {
  auto ctx = std::make_unique<Context>();
  ctx->config = config;
  if (config.server.time_scale != 1.0) {
    ctx->clock = std::make_unique<ScaledClock>(ctx->system_clock, config.server.time_scale);
  } else {
    ctx->clock = std::make_unique<SystemClock>();
  }
  auto store = store::open_store(config.storage_url);
  if (!store) return store.error();
  ctx->store = std::move(*store);
  if (auto s = ctx->store->migrate(); !s) return s.error();
  ctx->store = slow_store_for_tests(std::move(ctx->store));
  ctx->directory = std::make_unique<directory::LocalDirectory>(*ctx->store);
  ctx->directory->set_number_rules(config.sip.number_rules);
  if (config.directory.ldap_enabled) ctx->ldap = std::make_unique<directory::LdapDirectory>(config.directory.ldap);
  ctx->logins = std::make_unique<directory::ChainDirectory>(*ctx->directory, ctx->ldap.get(), config.directory.order,
                                                            *ctx->store, *ctx->clock);
  if (config.billing.coupling == "radius") {
    auto radius = billing::make_radius_client(config.billing.radius);
    if (!radius) return radius.error();
    ctx->radius = std::move(*radius);
    ctx->coupling = std::make_unique<billing::RadiusAuthorizer>(*ctx->radius, *ctx->store, config.billing.fail_open);
  } else if (config.billing.coupling == "http") {
    ctx->coupling = std::make_unique<billing::HttpBillingAuthorizer>(config.billing.http, *ctx->store,
                                                                     config.plans, config.billing.fail_open);
  }
  booking::BookingServiceOptions options;
  options.limits = config.conference;
  options.time_zone = config.server.time_zone;
  options.policy = config.booking;
  options.plans = config.plans;
  options.coupling = ctx->coupling.get();
  options.unused_notice = config.notify.reminders.unused_notice;
  ctx->bookings = std::make_unique<booking::BookingService>(*ctx->store, *ctx->clock, ctx->random, options);
  // The operator's notification texts, checked before anything is sent (a bad file stops the start).
  if (!config.notify.templates_dir.empty()) {
    auto templates = booking::load_templates(config.notify.templates_dir);
    if (!templates) return templates.error();
    booking::use_templates(std::make_shared<const booking::Templates>(std::move(*templates)));
  }
  return ctx;
}

void print_error(const Error& error) {
  std::fprintf(stderr, "error: %s\n", error.fields.empty() ? error.message.c_str() : "invalid input");
  for (const auto& f : error.fields) std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
}

int fail(const Error& error, bool json) {
  if (json) std::cout << web::error_json(error).dump(2) << "\n";
  print_error(error);
  return exit_code_for(error);
}

int exit_code_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kNotFound:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kUnauthenticated:
      return 2;
    default:
      return 1;
  }
}

}  // namespace confpro::app
