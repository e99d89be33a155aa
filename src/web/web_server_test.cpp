// start_web over a real socket on 127.0.0.1: bound port reported, requests answered, bad options refused.
#include "web/web_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "web/api_test_support.h"

namespace confpro::web {
namespace {

class WebServerTest : public testing::ApiFixture {};

// One HTTP/1.0 exchange; returns the raw response.
std::string http_get(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  (void)::send(fd, req.data(), req.size(), 0);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

TEST_F(WebServerTest, ServesOnAFreePortWithSecurityHeadersAndStops) {
  WebOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.static_dir = (dir / "static").string();
  std::filesystem::create_directories(o.static_dir);
  std::ofstream(dir / "static" / "index.html") << "<html>console</html>";
  o.port_file = (dir / "port").string();
  auto server = start_web(o, services);
  ASSERT_TRUE(server.ok()) << server.error().message;
  int port = 0;
  std::ifstream(o.port_file) >> port;
  ASSERT_GT(port, 0);
  auto answer = http_get(port, "/api/v1/session");
  EXPECT_NE(answer.find(" 401 "), std::string::npos) << answer;
  EXPECT_NE(answer.find("frame-ancestors 'none'"), std::string::npos);
  auto page = http_get(port, "/past/3");
  EXPECT_NE(page.find("<html>console</html>"), std::string::npos) << page;
  (*server)->stop();
  (*server)->stop();  // idempotent
  EXPECT_EQ(http_get(port, "/"), "");
}

TEST_F(WebServerTest, RefusesBadOptionsNamingEachField) {
  WebOptions o;
  o.port = 70000;
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.time_zone = "Mars/Olympus";
  o.max_body_bytes = 10;
  auto st = validate(o);
  ASSERT_FALSE(st.ok());
  std::set<std::string> fields;
  for (auto& f : st.error().fields) fields.insert(f.field);
  for (const char* f : {"port", "tls_key_file", "tls_cert_file", "time_zone", "max_body_bytes"}) {
    EXPECT_TRUE(fields.contains(f)) << f;
  }
  EXPECT_FALSE(start_web(o, services).ok());
}

TEST_F(WebServerTest, APortInUseIsUnavailable) {
  WebOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.port_file = (dir / "port").string();
  auto first = start_web(o, services);
  ASSERT_TRUE(first.ok());
  int port = 0;
  std::ifstream(o.port_file) >> port;
  WebOptions again = o;
  again.port = port;
  again.port_file.clear();
  auto second = start_web(again, services);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace confpro::web
