// Internal to web/: what every group of API routes shares, and helpers they use. Not a public header.
// Thread safety: read-only after construction except through the thread-safe members (sessions, throttles,
// store, directory, control API).
#pragma once

#include <string>

#include "booking/booking_authorizer.h"
#include "web/web_deps.h"
#include "common/time.h"
#include "web/event_hub.h"
#include "web/router.h"
#include "web/sessions.h"
#include "web/web_server.h"

namespace confpro::web {

struct ApiContext {
  const WebOptions& options;
  const WebDeps& services;
  SessionTable& sessions;
  LoginThrottle& login_throttle;

  TimePoint now() const { return services.clock->now(); }
  // Appends to the audit log (source "web"); failures are logged, never shown to the caller.
  void audit(const Call& call, const std::string& action, const std::string& target,
             const std::string& details) const;
};

// Route groups; each adds its routes to `router`.
void add_session_routes(Router& router, ApiContext& ctx);
void add_booking_routes(Router& router, ApiContext& ctx);
void add_admin_routes(Router& router, ApiContext& ctx);      // users, access numbers, audit
void add_live_routes(Router& router, ApiContext& ctx);       // live conferences and their actions
void add_history_routes(Router& router, ApiContext& ctx);    // past conferences, recordings, reports
void add_notification_routes(Router& router, ApiContext& ctx);  // the outbox rows, re-send
void add_billing_routes(Router& router, ApiContext& ctx);       // tariffs, accounts, ledger, revenue
void add_operations_routes(Router& router, ApiContext& ctx);    // /healthz, /readyz, /metrics

// Parses an integer path parameter (> 0); nullopt for anything else.
std::optional<std::int64_t> parse_id(const std::string& text);

// The signed-in caller as the booking service sees them (username, role, directory groups; source "web").
inline booking::Actor actor_of(const Call& call) {
  return {call.principal().username, call.principal().is_admin(), "web", call.principal().groups};
}

// Whether the caller may see what `owner` owns: an administrator sees everything, an organizer their own.
inline bool owned_by_caller(const Call& call, const std::string& owner) {
  return call.principal().is_admin() || owner == call.principal().username;
}

// The answer to an id the caller may not see or that does not exist. An organizer gets 403 either way, the same
// body whether the id is another organizer's or nobody's (issue 6: "403 otherwise, including by guessing ids"),
// so other organizers' ids cannot be probed; an administrator, who sees everything, gets `missing` (404).
inline Error not_visible(const Call& call, Error missing) {
  if (call.principal().is_admin()) return missing;
  return Error::denied("no booking or conference of yours has this id").with_reason("not_found_or_not_yours");
}

}  // namespace confpro::web

namespace confpro::web {
// Query-string helpers shared by route groups (booking_routes.cpp).
// A time in a query: ISO 8601, "YYYY-MM-DD HH:MM" or a date "YYYY-MM-DD" in `zone`; a bare date is its
// midnight, or with `end_of_day` the next midnight (so to=2026-05-01 includes that day).
std::optional<TimePoint> parse_query_time(const std::string& text, const std::string& zone, bool end_of_day);
void read_paging_params(const HttpRequest& r, int& limit, int& offset, std::vector<FieldError>& errors);
// Reads from/to (history_routes.cpp); a bare date as `to` includes that whole day.
void read_range(const Call& call, const ApiContext& ctx, std::optional<TimePoint>& from, std::optional<TimePoint>& to,
                std::vector<FieldError>& errors, bool required);
}  // namespace confpro::web
