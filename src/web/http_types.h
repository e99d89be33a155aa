// Plain values for one HTTP exchange, so the API's handler logic is unit-tested without a socket: the RESTinio
// adapter (web_server.cpp) turns a request into an HttpRequest and an HttpResponse back into bytes.
// Thread safety: plain values; the helpers are pure functions.
#pragma once

#include <map>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace confpro::web {

struct HttpRequest {
  std::string method;                               // "GET", "POST", …
  std::string path;                                 // percent-decoded path, no query string
  std::map<std::string, std::string> query;         // decoded query parameters (last one wins)
  std::map<std::string, std::string> headers;       // names in lower case
  std::string body;
  std::string remote_address;                       // peer IP, for login throttling and the audit log
  bool secure = false;                              // arrived over HTTPS
  bool malformed = false;                           // the path or query had a malformed %-escape: 400

  // The header's value, or "" when absent. `name` in lower case.
  std::string header(std::string_view name) const;
  // The value of cookie `name` from the Cookie header, or "" when absent.
  std::string cookie(std::string_view name) const;
  // The query parameter, or `fallback` when absent.
  std::string param(std::string_view name, std::string fallback = {}) const;
};

// A part of a file sent as the body without reading it into memory (sendfile by the server adapter).
struct FileBody {
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, Cache-Control, …)
  std::string body;
  std::optional<FileBody> file;  // when set, the body is this part of a file (and `body` is empty)

  void add_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// The HTTP status for an error code (400, 401, 403, 404, 409, 429, 503, 500).
int http_status(ErrorCode code);

// 200/201 with a JSON body.
HttpResponse json_response(int status, const nlohmann::json& body);
// 204 without a body.
HttpResponse no_content();
// {"error":{"code":"invalid_argument","message":…,"fields":[{"field":…,"message":…}]}} with the mapped
// status; a field error with a reason adds "reason" and "params" ({"field":"user_pin","reason":"pin_length",
// "params":{"length":6},"message":…}), and so does the error itself when it has one ("outside_dial_plan").
HttpResponse error_response(const Error& error);
// The JSON form of an error, as above.
nlohmann::json error_json(const Error& error);

// Headers every response carries: CSP without inline script, frame-ancestors 'none', nosniff, referrer policy.
void add_security_headers(HttpResponse& response, bool secure);

// Splits "a=1&b=x%20y" into decoded pairs (percent_decode below); nullopt when a name or value is malformed.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);
// Decodes %XX escapes with RESTinio's decoder (restinio::utils::try_unescape_percent_encoding); nullopt for a
// text it refuses (a malformed escape such as "100%" or "%zz", or escaped bytes that are not UTF-8): the server
// answers 400 rather than guess. '+' is a space in a query string, itself in a path (an access number "+33…" in
// /api/v1/access-numbers/{number}).
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = true);

}  // namespace confpro::web
