// POST/GET/DELETE /api/v1/session: log in, who am I, log out.
#include <algorithm>
#include <cctype>

#include "common/log.h"
#include "directory/directory.h"
#include "web/api_context.h"
#include "web/json_body.h"

namespace confpro::web {

namespace {

nlohmann::json session_json(const Session& s, const ApiContext& ctx) {
  return {{"user",
           {{"username", s.principal.username},
            {"display_name", s.principal.display_name},
            {"role", s.principal.role}}},
          {"csrf_token", s.csrf_token},
          {"time_zone", ctx.options.time_zone},
          {"live_service", ctx.services.control != nullptr}};
}

std::string cookie_header(const std::string& value, bool secure, bool clear) {
  std::string c = std::string(Router::kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  if (clear) c += "; Max-Age=0";
  return c;
}

HttpResponse throttled(std::chrono::milliseconds wait) {
  auto r = error_response(Error::exhausted("too many failed logins; try again later"));
  r.add_header("Retry-After", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count() + 1));
  return r;
}

HttpResponse login(const Call& call, ApiContext& ctx) {
  auto body = JsonBody::parse(call.request.body);
  if (!body) return error_response(body.error());
  auto username = body->string("username", true, 64);
  auto password = body->string("password", true, 256);
  if (auto st = body->finish(); !st) return error_response(st.error());

  std::string account = *username;
  std::transform(account.begin(), account.end(), account.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string address = call.request.remote_address;
  const auto now = ctx.now();
  if (auto wait = ctx.login_throttle.wait(account, address, now)) {
    log::get("web")->info("login of {} from {} throttled for {} ms", account, address, wait->count());
    return throttled(*wait);
  }

  auto user = ctx.services.directory->authenticate(*username, *password);
  if (!user) {
    if (user.error().code == ErrorCode::kUnauthenticated) {
      ctx.login_throttle.record_failure(account, address, now);
    }
    return error_response(user.error());
  }
  ctx.login_throttle.record_success(account, address);
  // A previous session cookie sent with the login is dropped: a login always gets a new id.
  ctx.sessions.remove(call.request.cookie(Router::kSessionCookie));
  Principal principal{user->username, user->display_name.empty() ? user->username : user->display_name,
                      user->role == "admin" ? "admin" : "organizer", user->groups};
  Session session = ctx.sessions.create(principal, now);
  Call signed_in{call.request, {}, session};
  ctx.audit(signed_in, "session.login", "user:" + principal.username, "from " + address);
  auto r = json_response(201, session_json(session, ctx));
  r.add_header("Set-Cookie", cookie_header(session.id, call.request.secure, false));
  r.add_header("Cache-Control", "no-store");
  return r;
}

}  // namespace

void add_session_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/api/v1/session", Access::kPublic, [&ctx](const Call& call) { return login(call, ctx); });
  router.add("GET", "/api/v1/session", Access::kSignedIn, [&ctx](const Call& call) {
    auto r = json_response(200, session_json(*call.session, ctx));
    r.add_header("Cache-Control", "no-store");
    return r;
  });
  router.add("DELETE", "/api/v1/session", Access::kSignedIn, [&ctx](const Call& call) {
    ctx.sessions.remove(call.session->id);
    ctx.audit(call, "session.logout", "user:" + call.principal().username, "");
    auto r = no_content();
    r.add_header("Set-Cookie", cookie_header("", call.request.secure, true));
    return r;
  });
}

}  // namespace confpro::web
