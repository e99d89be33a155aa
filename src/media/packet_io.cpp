// Datagram I/O for the media workers (packet_io.h): the choice, and the epoll fallback.
#include "media/packet_io.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <vector>

namespace confpro::media {
namespace {

class EpollIo final : public PacketIo {
 public:
  explicit EpollIo(int epfd) : epfd_(epfd) {}
  ~EpollIo() override { ::close(epfd_); }

  PacketIoKind kind() const override { return PacketIoKind::kEpoll; }

  bool watch(int fd, std::uintptr_t tag) override {
    if (fd < 0) return false;
    if (static_cast<std::size_t>(fd) >= tags_.size()) tags_.resize(static_cast<std::size_t>(fd) + 256, 0);
    tags_[static_cast<std::size_t>(fd)] = tag;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;  // edge-triggered: every ready socket is drained until recvmmsg comes up short
    ev.data.fd = fd;
    return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
  }

  void unwatch(int fd) override { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

  bool send(int fd, std::span<const std::uint8_t> data, const SockAddr& to) override {
    ++stats_.enters;
    if (send_datagram_now(fd, data, to)) return true;
    ++stats_.send_errors;
    return false;
  }

  void flush() override {}

  int receive(DatagramHandler& handler) override {
    int delivered = 0;
    for (;;) {
      ++stats_.enters;
      const int n = epoll_wait(epfd_, events_, kEvents, 0);
      for (int e = 0; e < n; ++e) delivered += drain(events_[e].data.fd, handler);
      if (n < kEvents) break;
    }
    return delivered;
  }

  PacketIoStats stats() const override { return stats_; }

 private:
  static constexpr int kEvents = 256;

  int drain(int fd, DatagramHandler& handler) {
    const std::uintptr_t tag = tags_[static_cast<std::size_t>(fd)];
    int delivered = 0;
    for (;;) {
      ++stats_.enters;
      const int got = batch_.receive(fd);
      for (int i = 0; i < got; ++i)
        handler.on_datagram(tag, {batch_.mutable_data(i), batch_.length(i), batch_.truncated(i), batch_.from(i),
                                  batch_.arrival_realtime_ns(i)});
      delivered += got;
      if (got < static_cast<int>(batch_.count())) return delivered;
    }
  }

  int epfd_;
  epoll_event events_[kEvents];
  RecvBatch batch_{16, 2048, true};
  std::vector<std::uintptr_t> tags_;  // by fd
  PacketIoStats stats_;
};

}  // namespace

bool send_datagram_now(int fd, std::span<const std::uint8_t> data, const SockAddr& to) {
  const auto n = ::sendto(fd, data.data(), data.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to.storage),
                          to.len);
  return n == static_cast<ssize_t>(data.size());
}

const char* to_string(PacketIoKind k) {
  switch (k) {
    case PacketIoKind::kAuto: return "auto";
    case PacketIoKind::kUring: return "io_uring";
    case PacketIoKind::kEpoll: return "epoll";
  }
  return "?";
}

std::unique_ptr<PacketIo> make_epoll_io() {
  const int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return nullptr;
  return std::make_unique<EpollIo>(epfd);
}

std::unique_ptr<PacketIo> make_packet_io(PacketIoKind want) {
  if (want != PacketIoKind::kEpoll) {
    if (auto io = make_uring_io()) return io;
    if (want == PacketIoKind::kUring) return nullptr;
  }
  return make_epoll_io();
}

}  // namespace confpro::media
