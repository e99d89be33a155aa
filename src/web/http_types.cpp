#include "web/http_types.h"

#include <restinio/utils/percent_encoding.hpp>

#include <cctype>
#include <variant>

namespace confpro::web {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}
// For RESTinio's unescaper: every byte that is not an escape passes as it is (a browser sends "|" or raw UTF-8
// in a query; they were always accepted), so only '%' sequences are decoded and checked.
struct AnyCharUnescapeTraits {
  static constexpr bool ordinary_char(char) noexcept { return true; }
};
}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

std::string HttpRequest::cookie(std::string_view name) const {
  std::string_view all = [&]() -> std::string_view {
    auto it = headers.find("cookie");
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  }();
  while (!all.empty()) {
    auto semi = all.find(';');
    std::string_view part = trim(all.substr(0, semi));
    auto eq = part.find('=');
    if (eq != std::string_view::npos && trim(part.substr(0, eq)) == name) {
      return std::string(trim(part.substr(eq + 1)));
    }
    if (semi == std::string_view::npos) break;
    all.remove_prefix(semi + 1);
  }
  return {};
}

std::string HttpRequest::param(std::string_view name, std::string fallback) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? fallback : it->second;
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kResourceExhausted: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

HttpResponse json_response(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse no_content() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

namespace {
nlohmann::json params_json(const ErrorParams& params) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : params) {
    std::visit([&out, &name](const auto& v) { out[name] = v; }, value);
  }
  return out;
}
}  // namespace

nlohmann::json error_json(const Error& error) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& f : error.fields) {
    nlohmann::json field = {{"field", f.field}, {"message", f.message}};
    if (!f.reason.empty()) {
      field["reason"] = f.reason;
      field["params"] = params_json(f.params);
    }
    fields.push_back(std::move(field));
  }
  nlohmann::json e = {{"code", to_string(error.code)}, {"message", error.message}};
  if (!error.reason.empty()) {
    e["reason"] = error.reason;
    e["params"] = params_json(error.params);
  }
  if (!fields.empty()) e["fields"] = fields;
  return {{"error", e}};
}

HttpResponse error_response(const Error& error) {
  // A booking its billing account cannot pay for: 402 Payment Required (issue 16), not a rate limit.
  const int status = error.reason == "insufficient_credit" ? 402 : http_status(error.code);
  return json_response(status, error_json(error));
}

void add_security_headers(HttpResponse& response, bool secure) {
  response.add_header("Content-Security-Policy",
                      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                      "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                      "form-action 'self'; frame-ancestors 'none'");
  response.add_header("X-Content-Type-Options", "nosniff");
  response.add_header("Referrer-Policy", "no-referrer");
  response.add_header("X-Frame-Options", "DENY");
  if (secure) response.add_header("Strict-Transport-Security", "max-age=31536000");
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  // RESTinio's decoder always reads '+' as a space: in a path it is itself, so it goes in escaped.
  std::string in(text);
  if (!plus_is_space) {
    for (std::size_t at = in.find('+'); at != std::string::npos; at = in.find('+', at + 3)) in.replace(at, 1, "%2B");
  }
  auto decoded = restinio::utils::try_unescape_percent_encoding<AnyCharUnescapeTraits>(in);
  if (!decoded) return std::nullopt;  // a malformed escape, or escaped bytes that are not UTF-8
  return std::move(*decoded);
}

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    if (!part.empty()) {
      auto eq = part.find('=');
      auto name = percent_decode(part.substr(0, eq));
      auto value = eq == std::string_view::npos ? std::optional<std::string>("") : percent_decode(part.substr(eq + 1));
      if (!name || !value) return std::nullopt;
      out[std::move(*name)] = std::move(*value);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace confpro::web
