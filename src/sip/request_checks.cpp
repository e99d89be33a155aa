#include "sip/request_checks.h"

#include <arpa/inet.h>
#include <strings.h>

#include <string>

namespace confpro::sip {
namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view without_line_end(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alnum(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9');
}

// RFC 3261 25.1: hostname = *( domainlabel "." ) toplabel [ "." ]; a label is alphanumerics and '-', neither
// first nor last; the top label starts with a letter.
bool valid_hostname(std::string_view h) {
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  if (h.empty() || h.size() > 253) return false;
  std::string_view label;
  while (!h.empty()) {
    const auto dot = h.find('.');
    label = h.substr(0, dot);
    h = dot == std::string_view::npos ? std::string_view() : h.substr(dot + 1);
    if (label.empty() || label.size() > 63 || !is_alnum(label.front()) || !is_alnum(label.back()))
      return false;
    for (char c : label) {
      if (!is_alnum(c) && c != '-') return false;
    }
    if (dot != std::string_view::npos && h.empty()) return false;  // "a..b" or a trailing dot twice
  }
  return is_alpha(label.front());
}

bool valid_host(std::string_view h) {
  if (h.empty()) return false;
  if (h.front() == '[' ||
      h.find(':') != std::string_view::npos) {  // IPv6 reference (sofia keeps the brackets)
    if (h.front() == '[') {
      if (h.size() < 3 || h.back() != ']') return false;
      h = h.substr(1, h.size() - 2);
    }
    in6_addr a6{};
    return h.size() < INET6_ADDRSTRLEN && inet_pton(AF_INET6, std::string(h).c_str(), &a6) == 1;
  }
  if (h.find_first_not_of("0123456789.") == std::string_view::npos) {
    in_addr a4{};
    return h.size() < INET_ADDRSTRLEN && inet_pton(AF_INET, std::string(h).c_str(), &a4) == 1;
  }
  return valid_hostname(h);
}

bool valid_port(std::string_view p) {
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string_view::npos) return false;
  const int n = std::stoi(std::string(p));
  return n >= 1 && n <= 65535;
}

}  // namespace

const char* dialog_uri_problem(const UriParts& uri) {
  if (!iequals(uri.scheme, "sip") && !iequals(uri.scheme, "sips")) return "Unsupported URI Scheme";
  if (!valid_host(uri.host)) return "Bad Host";
  if (!uri.port.empty() && !valid_port(uri.port)) return "Bad Port";
  std::string_view params = uri.params;
  while (!params.empty()) {
    const auto semi = params.find(';');
    const std::string_view param = params.substr(0, semi);
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    const auto eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
    if (iequals(name, "transport") && !iequals(value, "udp") && !iequals(value, "tcp") &&
        !iequals(value, "tls")) {
      return "Unsupported Transport";
    }
    if (iequals(name, "maddr") && !valid_host(value)) return "Bad maddr";
  }
  return nullptr;
}

const char* request_line_problem(std::string_view raw_line) {
  const std::string_view line = without_line_end(raw_line);
  if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
    return "Trailing Whitespace In Request Line";
  }
  // Runs of SP between the parts are tolerated (RFC 4475 3.1.1.13, TC_LWSSTART_V); whitespace inside the
  // Request-URI is not (3.1.2.8, TC_LWSRURI_I).
  const auto method_end = line.find(' ');
  const auto version_start = line.rfind(' ');
  if (method_end == std::string_view::npos || method_end == version_start) return "Malformed Request Line";
  const auto uri_start = line.find_first_not_of(' ', method_end);
  const auto uri_end = line.find_last_not_of(' ', version_start);
  if (uri_start > uri_end) return "Malformed Request Line";
  if (line.substr(uri_start, uri_end - uri_start + 1).find_first_of(" \t") != std::string_view::npos) {
    return "Whitespace In Request-URI";
  }
  return nullptr;
}

const char* name_addr_problem(std::string_view raw_header) {
  bool quoted = false;
  for (std::size_t i = 0; i < raw_header.size(); ++i) {
    const char c = raw_header[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '<' && i + 1 < raw_header.size() && is_ws(raw_header[i + 1])) {
      return "Whitespace Inside Angle Brackets";
    } else if (c == '>' && i > 0 && is_ws(raw_header[i - 1])) {
      return "Whitespace Inside Angle Brackets";
    }
  }
  return nullptr;
}

}  // namespace confpro::sip
