// Non-blocking UDP sockets for RTP/RTCP (IPv4/IPv6), batched receive with recvmmsg (with kernel arrival
// timestamps), and the port allocator that binds RTP (even) + RTCP (odd) pairs from a configured range.
// Thread safety: a UdpSocket belongs to one thread at a time; PortAllocator is safe from any thread (one mutex,
// taken per allocation, never per packet).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/thread_annotations.h"

namespace confpro::media {

// A socket address small enough to copy per packet.
struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
  bool operator==(const SockAddr& o) const;
  bool same_host(const SockAddr& o) const;  // the same IP address, whatever the ports
  bool empty() const { return len == 0; }
  std::uint16_t port() const;
  std::string to_string() const;
};

Result<SockAddr> make_sockaddr(const std::string& ip, std::uint16_t port);

class UdpSocket {
 public:
  UdpSocket() = default;
  explicit UdpSocket(int fd) : fd_(fd) {}
  ~UdpSocket();
  UdpSocket(UdpSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UdpSocket& operator=(UdpSocket&& o) noexcept;

  // Binds `ip:port` (port 0: any). Non-blocking, kernel arrival stamps on (SO_TIMESTAMPNS).
  static Result<UdpSocket> bind(const std::string& ip, std::uint16_t port);

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  std::uint16_t local_port() const;
  // Sends one datagram; returns false on any error (counted by the caller; never blocks).
  bool send_to(std::span<const std::uint8_t> data, const SockAddr& to) const;

 private:
  int fd_ = -1;
};

// A preallocated batch for recvmmsg: `count` datagrams of up to `size` bytes each. With `timestamps`, the
// kernel's arrival stamps are collected (bind() turns SO_TIMESTAMPNS on).
class RecvBatch {
 public:
  RecvBatch(std::size_t count, std::size_t size, bool timestamps = false);
  // Receives up to count() datagrams; returns how many (0 when none are waiting or on error).
  int receive(int fd);
  std::span<const std::uint8_t> data(int i) const;
  std::uint8_t* mutable_data(int i) { return buffers_.data() + static_cast<std::size_t>(i) * size_; }
  std::size_t length(int i) const { return msgs_[i].msg_len; }
  bool truncated(int i) const { return (msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0; }
  const SockAddr& from(int i) const { return from_[i]; }
  // Kernel arrival time (CLOCK_REALTIME, ns) of datagram i, or 0 when the kernel gave none.
  std::int64_t arrival_realtime_ns(int i) const;
  std::size_t count() const { return count_; }

 private:
  bool want_timestamps_;
  std::size_t count_, size_;
  std::vector<std::uint8_t> buffers_;
  std::vector<std::uint8_t> control_;
  std::vector<mmsghdr> msgs_;
  std::vector<iovec> iovs_;
  std::vector<SockAddr> from_;
};

struct PortPair {
  UdpSocket rtp, rtcp;
};

class PortAllocator {
 public:
  // Range of RTP ports; only even ports are used, RTCP is port + 1.
  PortAllocator(std::uint16_t min_port, std::uint16_t max_port);
  // Binds the next free pair on `ip`, trying each pair of the range at most once. kResourceExhausted if none.
  Result<PortPair> allocate(const std::string& ip);

 private:
  Mutex mu_;
  std::uint16_t min_, max_;
  std::uint32_t next_ GUARDED_BY(mu_);
};

}  // namespace confpro::media
