#include "sip/dtmf_info.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace confpro::sip {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<char> digit_of(std::string_view v) {
  v = trim(v);
  if (v.size() == 1) {
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
    if ((c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D')) return c;
    return std::nullopt;
  }
  if (v == "10") return '*';  // some gateways send event numbers
  if (v == "11") return '#';
  return std::nullopt;
}

}  // namespace

std::optional<char> parse_dtmf_info(std::string_view content_type, std::string_view body) {
  const std::string type = lower(trim(content_type));
  if (type == "application/dtmf") return digit_of(body);
  if (type != "application/dtmf-relay") return std::nullopt;
  while (!body.empty()) {
    auto eol = body.find_first_of("\r\n");
    std::string_view line = body.substr(0, eol);
    body = eol == std::string_view::npos ? std::string_view{} : body.substr(eol + 1);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    if (lower(trim(line.substr(0, eq))) == "signal") return digit_of(line.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace confpro::sip
