#include "sip/tcp_guard.h"

// <linux/tcp.h> (not <netinet/tcp.h>) for tcpi_bytes_received; the two cannot be included together.
#include <arpa/inet.h>
#include <dirent.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>

namespace confpro::sip {
namespace {

std::uint16_t local_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  return 0;
}

// An accepted (not listening), connected TCP socket on one of `ports`.
bool accepted_on(int fd, const std::vector<std::uint16_t>& ports) {
  int type = 0, listening = 0;
  socklen_t len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return false;
  len = sizeof listening;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening) return false;
  const std::uint16_t port = local_port(fd);
  if (port == 0 || std::find(ports.begin(), ports.end(), port) == ports.end()) return false;
  sockaddr_storage peer{};
  socklen_t plen = sizeof peer;
  return getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) == 0;
}

}  // namespace

int shut_silent_tcp_connections(const std::vector<std::uint16_t>& ports, std::chrono::milliseconds silent) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  std::vector<int> fds;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const int fd = std::atoi(e->d_name);
    if (fd != dirfd(dir)) fds.push_back(fd);
  }
  closedir(dir);
  int shut = 0;
  for (int fd : fds) {
    if (!accepted_on(fd, ports)) continue;
    tcp_info info{};
    socklen_t len = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) continue;
    // tcpi_last_data_recv counts from the connection's opening while nothing was received.
    if (info.tcpi_bytes_received == 0 && info.tcpi_last_data_recv >= silent.count()) {
      if (shutdown(fd, SHUT_RDWR) == 0) ++shut;
    }
  }
  return shut;
}

}  // namespace confpro::sip
