// A minimal HTTP/1.1 client for the conference tests that drive the web API of the same `confpro serve`
// (log in, then POST with the session cookie and CSRF token). Blocking, one request per connection.
// Thread safety: one test thread.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace confpro::conftest {

struct HttpReply {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  nlohmann::json json() const;  // null when the body is not JSON
};

class WebClient {
 public:
  explicit WebClient(std::uint16_t port) : port_(port) {}
  // POST /api/v1/session; true on 201 (keeps the cookie and the CSRF token).
  bool login(const std::string& user, const std::string& password);
  HttpReply get(const std::string& path);
  HttpReply post(const std::string& path, const nlohmann::json& body);
  HttpReply put(const std::string& path, const nlohmann::json& body);
  HttpReply del(const std::string& path);

 private:
  HttpReply request(const std::string& method, const std::string& path, const std::string& body);
  std::uint16_t port_;
  std::string cookie_, csrf_;
};

}  // namespace confpro::conftest
