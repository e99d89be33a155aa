#include "web_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace confpro::conftest {

nlohmann::json HttpReply::json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

bool WebClient::login(const std::string& user, const std::string& password) {
  auto r = request("POST", "/api/v1/session", nlohmann::json{{"username", user}, {"password", password}}.dump());
  if (r.status != 201) return false;
  csrf_ = r.json().value("csrf_token", "");
  return true;
}

HttpReply WebClient::get(const std::string& path) { return request("GET", path, ""); }

HttpReply WebClient::post(const std::string& path, const nlohmann::json& body) {
  return request("POST", path, body.dump());
}

HttpReply WebClient::put(const std::string& path, const nlohmann::json& body) {
  return request("PUT", path, body.dump());
}

HttpReply WebClient::del(const std::string& path) { return request("DELETE", path, ""); }

HttpReply WebClient::request(const std::string& method, const std::string& path, const std::string& body) {
  HttpReply reply;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port_);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return reply;
  }
  std::ostringstream req;
  req << method << " " << path << " HTTP/1.1\r\nHost: 127.0.0.1:" << port_ << "\r\nConnection: close\r\n";
  if (!cookie_.empty()) req << "Cookie: " << cookie_ << "\r\n";
  if (!csrf_.empty() && method != "GET") req << "X-CSRF-Token: " << csrf_ << "\r\n";
  if (!body.empty()) req << "Content-Type: application/json\r\n";
  req << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  const std::string out = req.str();
  for (std::size_t sent = 0; sent < out.size();) {
    const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string in;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto head_end = in.find("\r\n\r\n");
  if (in.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return reply;
  reply.status = std::atoi(in.c_str() + 9);
  const std::string head = in.substr(0, head_end);
  std::istringstream lines(head);
  std::string line;
  bool chunked = false;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    value.erase(0, value.find_first_not_of(' '));
    if (name == "set-cookie") {
      const std::string pair = value.substr(0, value.find(';'));
      cookie_ = pair.back() == '=' ? "" : pair;
    }
    if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
  }
  std::string body_in = in.substr(head_end + 4);
  if (chunked) {
    std::string joined;
    std::size_t at = 0;
    while (at < body_in.size()) {
      const std::size_t size = std::strtoul(body_in.c_str() + at, nullptr, 16);
      const auto data = body_in.find("\r\n", at);
      if (size == 0 || data == std::string::npos) break;
      joined += body_in.substr(data + 2, size);
      at = data + 2 + size + 2;
    }
    body_in = joined;
  }
  reply.body = body_in;
  return reply;
}

}  // namespace confpro::conftest
