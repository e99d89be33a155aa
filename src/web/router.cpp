#include "web/router.h"

#include <algorithm>
#include <cctype>

namespace confpro::web {

namespace {

// Whether the Content-Type names JSON ("application/json", any case, parameters such as charset allowed).
bool is_json(std::string type) {
  type = type.substr(0, type.find(';'));
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto first = type.find_first_not_of(" \t");
  auto last = type.find_last_not_of(" \t");
  return first != std::string::npos && type.substr(first, last - first + 1) == "application/json";
}

}  // namespace

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
  // HEAD is answered as GET (the server adapter sends the headers only).
  const std::string& method = request.method == "HEAD" ? std::string("GET") : request.method;
  std::string allowed;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!match(route.pattern, request.path, params)) continue;
    if (route.method != method) {
      if (allowed.find(route.method) == std::string::npos) {
        allowed += (allowed.empty() ? "" : ", ") + route.method + (route.method == "GET" ? ", HEAD" : "");
      }
      continue;
    }

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
    // A body is JSON, said so: a text/plain or form body (which a cross-site form can send) is refused unread.
    if (!request.body.empty() && !is_json(request.header("content-type"))) {
      auto r = error_response(Error::invalid("Content-Type", "must be application/json"));
      r.status = 415;
      return r;
    }
    return route.handler(call);
  }
  if (!allowed.empty()) {
    auto r = error_response({ErrorCode::kInvalidArgument, "method not allowed on this path", {}});
    r.status = 405;
    r.add_header("Allow", allowed);
    return r;
  }
  return error_response(Error::not_found("no such API endpoint"));
}

}  // namespace confpro::web
