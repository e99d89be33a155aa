// What the CLI commands and `serve` open from a configuration: the store (migrated), the local directory and
// the booking service. Only app/ builds these concrete classes (STYLE.md #2).
// Thread safety: built on the main thread; the members are themselves thread-safe.
#pragma once

#include <memory>

#include "app/config.h"
#include "billing/http_billing.h"
#include "billing/radius_billing.h"
#include "billing/radius_client.h"
#include "booking/booking_service.h"
#include "common/result.h"
#include "common/time.h"
#include "directory/chain_directory.h"
#include "directory/ldap_directory.h"
#include "directory/local_directory.h"
#include "domain/random.h"
#include "store/store.h"

namespace confpro::app {

struct Context {
  Config config;
  SystemClock system_clock;
  std::unique_ptr<Clock> clock;  // system clock, or scaled by server.time_scale
  std::unique_ptr<store::Store> store;
  std::unique_ptr<directory::LocalDirectory> directory;  // local accounts (administration)
  std::unique_ptr<directory::LdapDirectory> ldap;        // null without [directory.ldap]
  std::unique_ptr<directory::ChainDirectory> logins;     // who logs in: [directory] order over the two
  domain::SystemRandom random;
  // [billing] coupling = "radius" | "http" (issue 16 P3): the RADIUS client (radius only) and the
  // authorization that replaces the ledger's reservation; both null with the ledger.
  std::unique_ptr<billing::RadiusClient> radius;
  std::unique_ptr<booking::AccountAuthorizer> coupling;
  std::unique_ptr<booking::BookingService> bookings;
};

// Opens the store named by the configuration, applies migrations, and builds the services.
Result<std::unique_ptr<Context>> open_context(const Config& config);

// Prints an error for a person on stderr: the message, then one line per field.
void print_error(const Error& error);
// 2 for bad input (kInvalidArgument, kAlreadyExists, kNotFound, kFailedPrecondition, kPermissionDenied), else 1.
int exit_code_for(const Error& error);
// A command's failure: with `json`, first the API's error shape on stdout (web::error_json: {"error": {"code",
// "message", "reason"?, "fields"?: [{"field", "message", "reason"?}]}}); then print_error; returns exit_code_for.
int fail(const Error& error, bool json = false);

}  // namespace confpro::app
