#include "web/api.h"

#include <charconv>

#include "common/log.h"
#include "conference/control_api.h"
#include "store/store.h"
#include "web/api_context.h"

namespace confpro::web {

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

void ApiContext::audit(const Call& call, const std::string& action, const std::string& target,
                       const std::string& details) const {
  store::AuditEntry e;
  e.at = now();
  e.actor = call.session ? call.principal().username : "anonymous";
  e.action = action;
  e.target = target;
  e.details = details;
  e.source = "web";
  auto st = services.store->append_audit(e);
  if (!st) log::get("web")->warn("audit {} {}: {}", action, target, st.error().message);
}

Api::Api(const WebOptions& options, const WebDeps& services)
    : options_(options),
      services_(services),
      sessions_(std::make_unique<SessionTable>(std::chrono::seconds(options.session_idle_timeout_s),
                                               static_cast<std::size_t>(options.max_sessions_per_user))),
      login_throttle_(std::make_unique<LoginThrottle>(
          ThrottleOptions{options.login_max_failures, std::chrono::seconds(options.login_window_s),
                          std::chrono::seconds(1), std::chrono::seconds(options.login_block_s)})) {
  context_ = std::make_unique<ApiContext>(ApiContext{options_, services_, *sessions_, *login_throttle_});
  router_ = std::make_unique<Router>(*sessions_, *services_.clock);
  router_->add("GET", "/api/v1/openapi.json", Access::kPublic, [](const Call&) {
    HttpResponse r;
    r.body = openapi_document();
    return r;
  });
  // Health (issue 11 item 7): "degraded" (503) while the history writer fails, stalls or falls far behind. The
  // last error text (it may name paths or hosts) only for administrators.
  router_->add("GET", "/api/v1/health", Access::kPublic, [this](const Call& call) {
    const conference::HealthReport h = services_.control ? services_.control->health() : conference::HealthReport{};
    nlohmann::json history = {{"ok", h.history_ok},
                              {"queued", h.history_queued},
                              {"oldest_pending_ms", h.history_oldest_pending_ms},
                              {"since_last_write_ms", h.history_since_last_write_ms},
                              {"failing_for", h.history_failing_for},
                              {"stalled", h.history_stalled},
                              {"written", h.history_written},
                              {"failed", h.history_failed},
                              {"dropped", h.history_dropped}};
    if (call.session && call.principal().is_admin()) history["last_error"] = h.history_last_error;
    return json_response(h.history_ok ? 200 : 503, {{"status", h.history_ok ? "ok" : "degraded"}, {"history", history}});
  });
  // The stream itself is served by the server (it outlives one response); listed here for the route table.
  router_->add("GET", "/api/v1/events", Access::kSignedIn, [](const Call&) {
    return error_response(Error::unavailable("the event stream needs a streaming connection"));
  });
  add_session_routes(*router_, *context_);
  add_booking_routes(*router_, *context_);
  add_admin_routes(*router_, *context_);
  add_live_routes(*router_, *context_);
  add_history_routes(*router_, *context_);
  add_notification_routes(*router_, *context_);
  add_billing_routes(*router_, *context_);
  add_operations_routes(*router_, *context_);
  events_ = std::make_unique<EventHub>(services_.control);
}

Api::~Api() = default;

HttpResponse Api::handle(const HttpRequest& request) {
  if (request.body.size() > options_.max_body_bytes) {
    auto r = error_response(
        Error::invalid("body", "too large: at most " + std::to_string(options_.max_body_bytes) + " bytes",
                       "too_large", {{"max", static_cast<std::int64_t>(options_.max_body_bytes)}}));
    r.status = 413;
    return r;
  }
  return router_->dispatch(request);
}

bool Api::signed_in(const std::string& id) const { return sessions_->alive(id, services_.clock->now()); }

std::variant<Session, HttpResponse> Api::authorize_stream(const HttpRequest& request) {
  auto s = sessions_->touch(request.cookie(Router::kSessionCookie), services_.clock->now());
  if (!s) return error_response({ErrorCode::kUnauthenticated, "please log in", {}});
  return *s;
}

}  // namespace confpro::web
