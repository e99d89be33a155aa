// UDP sockets, recvmmsg batches, RTP/RTCP port pairs (socket.h).
#include "media/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace confpro::media {

bool SockAddr::operator==(const SockAddr& o) const {
  if (storage.ss_family != o.storage.ss_family) return false;
  if (storage.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(storage);
    const auto& b = reinterpret_cast<const sockaddr_in&>(o.storage);
    return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
  }
  if (storage.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(storage);
    const auto& b = reinterpret_cast<const sockaddr_in6&>(o.storage);
    return a.sin6_port == b.sin6_port && std::memcmp(&a.sin6_addr, &b.sin6_addr, sizeof a.sin6_addr) == 0;
  }
  return len == o.len && std::memcmp(&storage, &o.storage, len) == 0;
}

bool SockAddr::same_host(const SockAddr& o) const {
  if (storage.ss_family != o.storage.ss_family) return false;
  if (storage.ss_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in&>(storage).sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in&>(o.storage).sin_addr.s_addr;
  }
  if (storage.ss_family == AF_INET6) {
    return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(storage).sin6_addr,
                       &reinterpret_cast<const sockaddr_in6&>(o.storage).sin6_addr, sizeof(in6_addr)) == 0;
  }
  return false;
}

std::uint16_t SockAddr::port() const {
  if (storage.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(storage).sin_port);
  if (storage.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(storage).sin6_port);
  return 0;
}

std::string SockAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(storage).sin_addr, buf, sizeof buf);
  else if (storage.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(storage).sin6_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(port());
}

Result<SockAddr> make_sockaddr(const std::string& ip, std::uint16_t port) {
  SockAddr a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.len = sizeof(sockaddr_in);
    return a;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.len = sizeof(sockaddr_in6);
    return a;
  }
  return Error::invalid("ip", "not an IP address: " + ip);
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

UdpSocket& UdpSocket::operator=(UdpSocket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Result<UdpSocket> UdpSocket::bind(const std::string& ip, std::uint16_t port) {
  auto addr = make_sockaddr(ip, port);
  if (!addr.ok()) return addr.error();
  const int fd = ::socket(addr->storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::exhausted(std::string("socket: ") + std::strerror(errno));
  UdpSocket s(fd);
  // Kernel arrival stamps: workers read once per tick, and the jitter buffer must count a packet's wait from
  // its true arrival, not from the tick that read it (that would add up to a tick of delay).
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr->storage), addr->len) != 0)
    return Error::unavailable(std::string("bind ") + addr->to_string() + ": " + std::strerror(errno));
  return s;
}

std::uint16_t UdpSocket::local_port() const {
  SockAddr a;
  a.len = sizeof a.storage;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a.storage), &a.len) != 0) return 0;
  return a.port();
}

bool UdpSocket::send_to(std::span<const std::uint8_t> data, const SockAddr& to) const {
  const auto n = ::sendto(fd_, data.data(), data.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to.storage),
                          to.len);
  return n == static_cast<ssize_t>(data.size());
}

namespace {
constexpr std::size_t kControlSize = CMSG_SPACE(sizeof(timespec));
}

RecvBatch::RecvBatch(std::size_t count, std::size_t size, bool timestamps)
    : want_timestamps_(timestamps), count_(count), size_(size), buffers_(count * size), control_(count * kControlSize), msgs_(count),
      iovs_(count), from_(count) {}

int RecvBatch::receive(int fd) {
  for (std::size_t i = 0; i < count_; ++i) {
    iovs_[i] = {buffers_.data() + i * size_, size_};
    msghdr& h = msgs_[i].msg_hdr;
    h = msghdr{};
    h.msg_name = &from_[i].storage;
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &iovs_[i];
    h.msg_iovlen = 1;
    h.msg_control = want_timestamps_ ? control_.data() + i * kControlSize : nullptr;
    h.msg_controllen = want_timestamps_ ? kControlSize : 0;
    msgs_[i].msg_len = 0;
  }
  const int n = ::recvmmsg(fd, msgs_.data(), static_cast<unsigned>(count_), MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;
  for (int i = 0; i < n; ++i) from_[i].len = msgs_[i].msg_hdr.msg_namelen;
  return n;
}

std::span<const std::uint8_t> RecvBatch::data(int i) const {
  return {buffers_.data() + static_cast<std::size_t>(i) * size_, msgs_[i].msg_len};
}

std::int64_t RecvBatch::arrival_realtime_ns(int i) const {
  if (!want_timestamps_) return 0;
  const msghdr& h = msgs_[i].msg_hdr;
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
    }
  }
  return 0;
}

PortAllocator::PortAllocator(std::uint16_t min_port, std::uint16_t max_port)
    : min_(static_cast<std::uint16_t>(min_port + (min_port & 1))), max_(max_port), next_(min_) {}

Result<PortPair> PortAllocator::allocate(const std::string& ip) {
  MutexLock lock(mu_);
  if (min_ >= max_) return Error::invalid("rtp_port_min", "empty RTP port range");
  const std::uint32_t pairs = (std::uint32_t{max_} - min_) / 2 + 1;
  for (std::uint32_t tries = 0; tries < pairs; ++tries) {
    const auto port = static_cast<std::uint16_t>(next_);
    next_ += 2;
    if (next_ + 1 > max_ + 1u || next_ > 65534) next_ = min_;
    auto rtp = UdpSocket::bind(ip, port);
    if (!rtp.ok()) {
      if (rtp.error().code == ErrorCode::kInvalidArgument) return rtp.error();
      continue;
    }
    auto rtcp = UdpSocket::bind(ip, static_cast<std::uint16_t>(port + 1));
    if (!rtcp.ok()) continue;
    return PortPair{std::move(*rtp), std::move(*rtcp)};
  }
  return Error::exhausted("no free RTP port pair in " + std::to_string(min_) + ".." + std::to_string(max_));
}

}  // namespace confpro::media
