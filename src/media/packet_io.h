// How a media worker moves datagrams: every send of a tick is queued and flushed once, and every datagram waiting
// on the watched sockets is delivered in one pass. Two implementations, chosen at run time:
//   - io_uring: the sends of a tick, across all sessions' sockets, go to the kernel in batches (128 at a time, or
//     what has waited 1 ms), one io_uring_enter each;
//     each socket has a multishot recvmsg armed once, filling a ring of provided buffers, so receiving needs no
//     epoll and no syscall per socket. Kernel arrival stamps (SO_TIMESTAMPNS) come with each datagram.
//   - epoll: the fallback when the kernel or the container refuses io_uring (older kernel, seccomp,
//     kernel.io_uring_disabled): sendto per datagram, epoll_wait + recvmmsg per ready socket.
// Neither allocates per datagram: buffers and send slots are allocated when the PacketIo is built and watch()
// may grow a table (command time).
//
// Thread safety: a PacketIo belongs to the one worker thread that created it (the io_uring is single-issuer:
// build it on the thread that will use it). The handler is called from receive() only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "media/media_engine.h"
#include "media/socket.h"

namespace confpro::media {

struct Datagram {
  std::uint8_t* data;                  // may be modified in place (SRTP); valid during the call only
  std::size_t len;
  bool truncated;                      // larger than the buffer: refuse it
  const SockAddr& from;
  std::int64_t arrival_realtime_ns;    // kernel arrival stamp (CLOCK_REALTIME), 0 when none
};

class DatagramHandler {
 public:
  virtual void on_datagram(std::uintptr_t tag, const Datagram& d) = 0;

 protected:
  ~DatagramHandler() = default;
};

const char* to_string(PacketIoKind k);  // "auto" | "io_uring" | "epoll"

struct PacketIoStats {
  std::uint64_t send_errors = 0;     // datagrams the kernel refused (full socket buffer, unreachable, ...)
  std::uint64_t receive_rearms = 0;  // io_uring: multishot receives re-armed (buffers ran out, or ended)
  std::uint64_t enters = 0;          // syscalls made to send and receive (io_uring_enter, or epoll_wait +
                                     // recvmmsg + sendto), for benchmarks
};

class PacketIo {
 public:
  virtual ~PacketIo() = default;
  virtual PacketIoKind kind() const = 0;
  // Delivers fd's datagrams to the handler with `tag` from the next receive() (command time; may allocate).
  // False when the kernel refused (the socket then stays silent).
  virtual bool watch(int fd, std::uintptr_t tag) = 0;
  // No datagram of fd is delivered after this; fd may then be closed. Unknown fds are ignored. Datagrams the
  // kernel already took from the socket are delivered first (to the handler receive() was last given, for any
  // socket); those still in the socket stay there for whoever watches it next.
  virtual void unwatch(int fd) = 0;
  // Sends `data` from fd to `to`, or queues a copy to go with the next flush(). False when it could not be sent or
  // queued (a refusal found later is counted in stats().send_errors).
  virtual bool send(int fd, std::span<const std::uint8_t> data, const SockAddr& to) = 0;
  // Hands the queued sends to the kernel.
  virtual void flush() = 0;
  // Delivers every datagram waiting on the watched sockets; returns how many were delivered.
  virtual int receive(DatagramHandler& handler) = 0;
  virtual PacketIoStats stats() const = 0;
};

// One plain sendto (MSG_DONTWAIT), for both implementations; true when the kernel took the whole datagram.
bool send_datagram_now(int fd, std::span<const std::uint8_t> data, const SockAddr& to);

// io_uring when asked and available, else epoll; nullptr only when kUring is demanded and refused (or when even
// epoll_create fails). Call on the thread that will use it.
std::unique_ptr<PacketIo> make_packet_io(PacketIoKind want);
std::unique_ptr<PacketIo> make_epoll_io();
std::unique_ptr<PacketIo> make_uring_io();  // nullptr when the kernel refuses

}  // namespace confpro::media
