#include <netdb.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip_header.h>

#include <algorithm>
#include <cctype>

#include "sip/endpoint_impl.h"

namespace confpro::sip {
namespace {

bool numeric_source(nua_t* nua, std::string& host, std::string& port) {
  msg_t* msg = nua_current_request(nua);
  if (!msg) return false;
  su_addrinfo_t* ai = msg_addrinfo(msg);
  if (!ai || !ai->ai_addr) return false;
  char h[NI_MAXHOST], p[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(ai->ai_addr), static_cast<socklen_t>(ai->ai_addrlen), h,
                  sizeof h, p, sizeof p, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return false;
  }
  host = h;
  port = p;
  return true;
}

}  // namespace

std::string source_address(nua_t* nua) {
  std::string host, port;
  if (!numeric_source(nua, host, port)) return {};
  return host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
}

std::string source_ip(nua_t* nua) {
  std::string host, port;
  return numeric_source(nua, host, port) ? host : std::string();
}

std::string via_transport(const sip_t* sip) {
  if (!sip || !sip->sip_via || !sip->sip_via->v_protocol) return "udp";
  std::string proto = sip->sip_via->v_protocol;
  auto slash = proto.rfind('/');
  std::string t = slash == std::string::npos ? proto : proto.substr(slash + 1);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t;
}

std::string payload_of(const sip_t* sip) {
  if (!sip || !sip->sip_payload || !sip->sip_payload->pl_data) return {};
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

std::string content_type_of(const sip_t* sip) {
  if (!sip || !sip->sip_content_type || !sip->sip_content_type->c_type) return {};
  std::string t = sip->sip_content_type->c_type;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t;
}

std::string unquote(const char* display) {
  if (!display) return {};
  std::string s = display;
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

}  // namespace confpro::sip
