// The REST API under /api/v1 as a plain function of a request: Api::handle(HttpRequest) → HttpResponse, so it is
// tested without a socket. Owns the console sessions, the login throttles and the live event hub.
// Thread safety: handle() and the other methods may be called from any thread at once.
#pragma once

#include <memory>
#include <variant>

#include "web/web_deps.h"
#include "web/event_hub.h"
#include "web/http_types.h"
#include "web/router.h"
#include "web/sessions.h"
#include "web/web_server.h"

namespace confpro::web {

struct ApiContext;

class Api {
 public:
  // `options` and `services` must outlive the Api.
  Api(const WebOptions& options, const WebDeps& services);
  ~Api();

  // Answers one request whose path starts with /api/. Bodies over options.max_body_bytes → 413 with a JSON
  // error naming "body".
  HttpResponse handle(const HttpRequest& request);
  // For GET /api/v1/events: the caller's session when signed in, else the 401 response.
  std::variant<Session, HttpResponse> authorize_stream(const HttpRequest& request);
  // Whether session `id` is still live now: not logged out, not ended with its user (removed, disabled, password
  // or role changed) or by the per-user cap, not idle past the timeout. Does not restart its idle clock (an open
  // event stream is not activity). Event streams end when this turns false.
  bool signed_in(const std::string& id) const;

  EventHub& events() { return *events_; }
  const Router& router() const { return *router_; }

 private:
  const WebOptions& options_;
  const WebDeps& services_;
  std::unique_ptr<SessionTable> sessions_;
  std::unique_ptr<LoginThrottle> login_throttle_;
  std::unique_ptr<ApiContext> context_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<EventHub> events_;
};

// The OpenAPI 3 document served at /api/v1/openapi.json.
const char* openapi_document();

}  // namespace confpro::web
