#include "web/router.h"

namespace confpro::web {

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
  routes_.push_back({std::move(method), std::move(pattern), access, std::move(handler)});
}

bool Router::match(const std::string& pattern, const std::string& path,
                   std::map<std::string, std::string>& params) {
  std::size_t p = 0, q = 0;
  while (p < pattern.size() && q < path.size()) {
    if (pattern[p] == '{') {
      auto close = pattern.find('}', p);
      auto name = pattern.substr(p + 1, close - p - 1);
      auto end = path.find('/', q);
      if (end == std::string::npos) end = path.size();
      if (end == q) return false;
      params[name] = path.substr(q, end - q);
      p = close + 1;
      q = end;
    } else {
      if (pattern[p] != path[q]) return false;
      ++p;
      ++q;
    }
  }
  return p == pattern.size() && q == path.size();
}

HttpResponse Router::dispatch(const HttpRequest& request) const {
  bool path_known = false;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!match(route.pattern, request.path, params)) continue;
    path_known = true;
    if (route.method != request.method) continue;

    Call call{request, std::move(params), sessions_.touch(request.cookie(kSessionCookie), clock_.now())};
    if (route.access != Access::kPublic) {
      if (!call.session) return error_response({ErrorCode::kUnauthenticated, "please log in", {}});
      if (route.access == Access::kAdmin && !call.session->principal.is_admin()) {
        return error_response(Error::denied("administrators only"));
      }
      bool changes_state = request.method != "GET" && request.method != "HEAD";
      if (changes_state && !constant_time_equal(request.header("x-csrf-token"), call.session->csrf_token)) {
        return error_response(Error::denied("missing or wrong X-CSRF-Token header"));
      }
    }
    return route.handler(call);
  }
  if (path_known) {
    auto r = error_response({ErrorCode::kInvalidArgument, "method not allowed on this path", {}});
    r.status = 405;
    return r;
  }
  return error_response(Error::not_found("no such API endpoint"));
}

}  // namespace confpro::web
