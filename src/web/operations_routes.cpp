// /healthz, /readyz and /metrics (issue 18 item 6): for load balancers, Kamailio's side checks and
// Prometheus. No session: /metrics alone asks for `Authorization: Bearer <web.metrics_token>` when the
// operator set one. Every answer comes from what the probe measured last (web/operations.h): a scrape never
// waits for the control loop.
#include <sodium.h>

#include "web/api_context.h"
#include "web/operations.h"

namespace confpro::web {

namespace {

HttpResponse ops_text_response(int status, std::string body, const char* content_type = "application/json") {
  HttpResponse r;
  r.status = status;
  r.content_type = content_type;
  r.body = std::move(body);
  r.add_header("Cache-Control", "no-store");
  return r;
}

bool ops_bearer_matches(const HttpRequest& request, const std::string& token) {
  static constexpr std::string_view kScheme = "Bearer ";
  const std::string given = request.header("authorization");
  if (given.size() != kScheme.size() + token.size() || given.compare(0, kScheme.size(), kScheme) != 0)
    return false;
  return sodium_memcmp(given.data() + kScheme.size(), token.data(), token.size()) == 0;
}

}  // namespace

void add_operations_routes(Router& router, ApiContext& ctx) {
  OperationsProbe* probe = ctx.services.operations;
  // Liveness: the process answers and its control loop is not stuck.
  router.add("GET", "/healthz", Access::kPublic, [probe](const Call&) {
    const bool alive = probe == nullptr || probe->status().alive;
    return ops_text_response(alive ? 200 : 503, alive ? "{\"status\":\"ok\"}\n" : "{\"status\":\"stuck\"}\n");
  });
  // Readiness: takes new calls — not draining (SIGTERM), the store answering.
  router.add("GET", "/readyz", Access::kPublic, [probe](const Call&) {
    if (probe == nullptr) return ops_text_response(503, "{\"status\":\"starting\"}\n");
    const ProbeStatus s = probe->status();
    const char* status = !s.alive      ? "stuck"
                         : s.draining  ? "draining"
                         : !s.store_ok ? "store_unreachable"
                                       : "ready";
    const bool ready = s.alive && !s.draining && s.store_ok;
    return ops_text_response(ready ? 200 : 503, std::string("{\"status\":\"") + status + "\"}\n");
  });
  router.add("GET", "/metrics", Access::kPublic, [probe, &ctx](const Call& call) {
    const std::string& token = ctx.options.metrics_token;
    if (!token.empty() && !ops_bearer_matches(call.request, token)) {
      auto r =
          error_response({ErrorCode::kUnauthenticated, "a bearer token is required (web.metrics_token)", {}});
      r.add_header("WWW-Authenticate", "Bearer realm=\"confpro metrics\"");
      return r;
    }
    if (probe == nullptr) return error_response(Error::unavailable("metrics are not available"));
    return ops_text_response(200, prometheus_text(probe->metrics()),
                             "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace confpro::web
