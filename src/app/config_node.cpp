// [node] (config.h NodeSettings, issue 18): this node's name and SIP URI among several nodes, and its claims'
// timing.
#include <unistd.h>

#include <climits>
#include <string>

#include "app/config.h"
#include "app/config_components.h"

namespace confpro::app {

namespace {

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == 0) return "localhost";
  return buf;
}

bool node_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

// Why `uri` is not a node's SIP URI ("" = it is): sip: or sips:, a host (name, IPv4 or [IPv6]), an optional
// port 1-65535, optional ;parameters; no user part, no spaces or control characters.
std::string node_uri_problem(const std::string& uri) {
  std::string rest;
  if (uri.rfind("sip:", 0) == 0)
    rest = uri.substr(4);
  else if (uri.rfind("sips:", 0) == 0)
    rest = uri.substr(5);
  else
    return "must start with sip: or sips:, e.g. \"sip:10.0.0.11:5060\"";
  for (char c : uri)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"')
      return "must not contain spaces, control characters, <, > or \"";
  if (rest.find('@') != std::string::npos)
    return "must not have a user part (the proxy puts the conference number there)";
  std::string hostport = rest.substr(0, rest.find(';'));
  std::string host = hostport, port;
  if (!hostport.empty() && hostport[0] == '[') {
    auto close = hostport.find(']');
    if (close == std::string::npos) return "an IPv6 host must be closed by ]";
    host = hostport.substr(0, close + 1);
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') return "unexpected characters after the IPv6 host";
      port = hostport.substr(close + 2);
      if (port.empty()) return "empty port";
    }
  } else if (auto colon = hostport.find(':'); colon != std::string::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
    if (port.empty()) return "empty port";
  }
  if (host.empty() || host == "[]") return "has no host";
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
      return "port must be 1-65535";
    if (int p = std::stoi(port); p < 1 || p > 65535) return "port must be 1-65535";
  }
  return {};
}

}  // namespace

void read_node(ConfigReader r, const sip::SipOptions& sip, std::string& server_node_id, NodeSettings& node) {
  r.get("name", node.name);
  if (!node.name.empty() && !server_node_id.empty() && node.name != server_node_id)
    r.fail("name", "'" + node.name + "' but server.node_id is '" + server_node_id +
                       "': one node, one name (set one of them)");
  if (node.name.empty()) node.name = server_node_id.empty() ? host_name() : server_node_id;
  server_node_id = node.name;
  if (node.name.size() > 63) r.fail("name", "at most 63 characters");
  for (char c : node.name)
    if (!node_name_char(c)) {
      r.fail("name", "'" + node.name + "': only letters, digits, '.', '-' and '_'");
      break;
    }
  r.get("sip_uri", node.sip_uri);
  if (node.sip_uri.empty()) {
    std::string host = !sip.public_address.empty() ? sip.public_address : sip.listen_address;
    if (host.empty() || host == "0.0.0.0") host = node.name;
    if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
    node.sip_uri = "sip:" + host + ":" + std::to_string(sip.port);
  }
  if (auto problem = node_uri_problem(node.sip_uri); !problem.empty())
    r.fail("sip_uri", "'" + node.sip_uri + "': " + problem);
  r.get_int("claim_ttl_s", node.claim_ttl_s, 5, 3600);
  r.get_int("claim_renew_s", node.claim_renew_s, 1, 1800);
  if (node.claim_renew_s * 2 > node.claim_ttl_s)
    r.fail("claim_renew_s", "must be at most claim_ttl_s / 2 (a claim must survive one missed renewal)");
  r.finish();
}

}  // namespace confpro::app
