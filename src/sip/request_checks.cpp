#include "sip/request_checks.h"

namespace confpro::sip {
namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view without_line_end(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

}  // namespace

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
