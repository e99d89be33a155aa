// The API's route table: method + path pattern ("/api/v1/bookings/{id}") → handler, with the access each route
// needs. Dispatch authenticates the session cookie, checks the role and, for state-changing methods, the CSRF
// header, before calling the handler. Patterns are the same strings the OpenAPI document lists (a test keeps
// the two equal).
// Thread safety: build the table on one thread before serving; dispatch() is then safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "web/http_types.h"
#include "web/sessions.h"

namespace confpro::web {

enum class Access {
  kPublic,     // no session needed
  kSignedIn,   // any logged-in user (handlers check ownership)
  kAdmin,      // administrators only
};

struct Call {
  const HttpRequest& request;
  std::map<std::string, std::string> params;  // from {name} segments
  std::optional<Session> session;             // set unless the route is public and no valid cookie came
  const Principal& principal() const { return session->principal; }
};

using Handler = std::function<HttpResponse(const Call&)>;

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kSignedIn;
  Handler handler;
};

class Router {
 public:
  // `sessions` outlives the router.
  Router(SessionTable& sessions, const Clock& clock) : sessions_(sessions), clock_(clock) {}

  void add(std::string method, std::string pattern, Access access, Handler handler);
  // Finds the route, checks session, role and CSRF, calls the handler. Unknown path → 404; known path with
  // another method → 405; no session → 401; wrong role → 403; missing/bad X-CSRF-Token → 403.
  HttpResponse dispatch(const HttpRequest& request) const;
  const std::vector<Route>& routes() const { return routes_; }

  static constexpr const char* kSessionCookie = "confpro_session";

 private:
  static bool match(const std::string& pattern, const std::string& path, std::map<std::string, std::string>& params);

  SessionTable& sessions_;
  const Clock& clock_;
  std::vector<Route> routes_;
};

}  // namespace confpro::web
