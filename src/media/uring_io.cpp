// Datagram I/O over io_uring (packet_io.h): queued sendmsg, multishot recvmsg into provided buffers.
//
// User data of each request: sends carry kSendBit and their slot; receives carry the socket's fd and the
// generation of its watch, so a completion that arrives after unwatch() (the socket may be closed and its fd
// reused by then) is recognised and dropped.
#include <liburing.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

#include "media/packet_io.h"

namespace confpro::media {
namespace {

constexpr unsigned kSqEntries = 4096;
constexpr unsigned kCqEntries = 32768;
constexpr unsigned kRecvBuffers = 8192;  // a power of two (buffer ring)
constexpr std::size_t kRecvBufferSize = 2048;
constexpr unsigned kSendSlots = 8192;
constexpr std::size_t kSendSlotSize = 512;  // larger datagrams (rare: big Opus frames) go out with sendto
constexpr unsigned kFlushEvery = 128;            // queued sends go to the kernel in batches of this size,
constexpr std::chrono::milliseconds kFlushAfter{1};  // or once the oldest has waited this long (a tick of costly
                                                     // rooms, e.g. Opus encodes, fills a batch slowly)
constexpr unsigned kClockEvery = 8;              // the clock is read every 8 sends
constexpr int kBufferGroup = 7;
constexpr std::uint64_t kSendBit = 1ull << 63;
constexpr std::uint64_t kIgnoreBit = 1ull << 62;

struct SendSlot {
  msghdr msg;
  iovec iov;
  sockaddr_storage to;
};

class UringIo final : public PacketIo {
 public:
  UringIo() = default;
  ~UringIo() override {
    if (ring_ok_) io_uring_queue_exit(&ring_);  // cancels the armed receives
    if (br_ != nullptr) munmap(br_, kRecvBuffers * sizeof(io_uring_buf));
  }
  UringIo(const UringIo&) = delete;
  UringIo& operator=(const UringIo&) = delete;

  bool init() {
    // Deferred task work (6.1+) runs the receives only when we ask (once per tick) instead of interrupting the
    // worker's sleep for each datagram; older kernels get cooperative task work, then plain.
    const unsigned base = IORING_SETUP_CQSIZE;
    for (unsigned extra : {IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
                           IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN, 0u}) {
      io_uring_params p{};
      p.flags = base | extra;
      p.cq_entries = kCqEntries;
      if (io_uring_queue_init_params(kSqEntries, &ring_, &p) == 0) {
        p_features_ = p.features;
        ring_ok_ = true;
        break;
      }
    }
    // A timeout with GETEVENTS (5.11+; multishot receive needs 6.0 anyway), see run_deferred_receives().
    if (!ring_ok_ || (p_features_ & IORING_FEAT_EXT_ARG) == 0) return false;
    void* mem = mmap(nullptr, kRecvBuffers * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
                     MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) return false;
    br_ = static_cast<io_uring_buf_ring*>(mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(mem);
    reg.ring_entries = kRecvBuffers;
    reg.bgid = kBufferGroup;
    if (io_uring_register_buf_ring(&ring_, &reg, 0) != 0) return false;
    io_uring_buf_ring_init(br_);
    recv_mem_.assign(kRecvBuffers * kRecvBufferSize, 0);
    for (unsigned i = 0; i < kRecvBuffers; ++i)
      io_uring_buf_ring_add(br_, recv_buffer(i), kRecvBufferSize, static_cast<unsigned short>(i), mask(),
                            static_cast<int>(i));
    io_uring_buf_ring_advance(br_, kRecvBuffers);
    recv_template_ = msghdr{};
    // The kernel lays the control messages out right after the name space: a name space that is not a multiple of
    // 8 bytes (sockaddr_in6 is 28) leaves every cmsghdr misaligned (UBSan: misaligned member access).
    recv_template_.msg_namelen = (sizeof(sockaddr_in6) + alignof(cmsghdr) - 1) & ~(alignof(cmsghdr) - 1);
    recv_template_.msg_controllen = CMSG_SPACE(sizeof(timespec));
    slots_.resize(kSendSlots);
    send_mem_.assign(kSendSlots * kSendSlotSize, 0);
    free_slots_.reserve(kSendSlots);
    for (unsigned i = kSendSlots; i-- > 0;) free_slots_.push_back(i);
    return self_test();
  }

  PacketIoKind kind() const override { return PacketIoKind::kUring; }

  bool watch(int fd, std::uintptr_t tag) override {
    if (fd < 0) return false;
    if (static_cast<std::size_t>(fd) >= watches_.size()) watches_.resize(static_cast<std::size_t>(fd) + 256);
    Watch& w = watches_[static_cast<std::size_t>(fd)];
    if (w.active) unwatch(fd);
    w.tag = tag;
    w.active = true;
    rearm_.reserve(++active_);
    if (!arm(fd)) rearm_.push_back(fd);  // retried at the next reap
    return true;
  }

  void unwatch(int fd) override {
    if (fd < 0 || static_cast<std::size_t>(fd) >= watches_.size()) return;
    Watch& w = watches_[static_cast<std::size_t>(fd)];
    if (!w.active) return;
    // Without a free entry (the kernel refused a submission) the receive stays armed until the ring closes:
    // its completions are stale (the generation moves on) and the socket stays open until then.
    if (io_uring_sqe* sqe = next_sqe()) {
      io_uring_prep_cancel64(sqe, recv_data(fd, w.gen), IORING_ASYNC_CANCEL_ALL);
      io_uring_sqe_set_data64(sqe, kIgnoreBit);
    }
    // Hand the cancel over now (the armed receive holds the socket open until it is cancelled), with whatever
    // is queued before it: a receive armed this very tick reads at once what already waits in the socket.
    submit();
    // Datagrams the kernel has already read for this socket (completions waiting in the ring) go to it now:
    // after this they would be dropped as stale, and a session moving to another worker would lose them (e.g.
    // its first RTCP report). What is still in the socket stays there for the next owner.
    w.closing = true;
    if (handler_ != nullptr) reap(handler_);
    w.closing = false;
    w.active = false;
    --active_;
    ++w.gen;
  }

  bool send(int fd, std::span<const std::uint8_t> data, const SockAddr& to) override {
    if (data.size() > kSendSlotSize || free_slots_.empty()) return send_now(fd, data, to);
    const std::uint32_t i = free_slots_.back();
    free_slots_.pop_back();
    SendSlot& s = slots_[i];
    std::uint8_t* buf = send_mem_.data() + std::size_t{i} * kSendSlotSize;
    std::memcpy(buf, data.data(), data.size());
    std::memcpy(&s.to, &to.storage, to.len);
    s.iov = {buf, data.size()};
    s.msg = msghdr{};
    s.msg.msg_name = &s.to;
    s.msg.msg_namelen = to.len;
    s.msg.msg_iov = &s.iov;
    s.msg.msg_iovlen = 1;
    io_uring_sqe* sqe = next_sqe();
    if (sqe == nullptr) {  // the kernel refused a submission: plain sendto
      free_slots_.push_back(i);
      return send_now(fd, data, to);
    }
    io_uring_prep_sendmsg(sqe, fd, &s.msg, MSG_DONTWAIT);
    io_uring_sqe_set_data64(sqe, kSendBit | i);
    if (++queued_ == 1) first_queued_ = std::chrono::steady_clock::now();
    if (queued_ >= kFlushEvery ||
        (queued_ % kClockEvery == 0 && std::chrono::steady_clock::now() - first_queued_ >= kFlushAfter))
      submit();
    return true;
  }

  void flush() override {
    if (queued_ > 0) submit();
  }

  int receive(DatagramHandler& handler) override {
    if (queued_ > 0 || io_uring_sq_ready(&ring_) > 0) submit();
    run_deferred_receives();
    handler_ = &handler;
    return reap(&handler);
  }

  PacketIoStats stats() const override { return stats_; }

 private:
  struct Watch {
    std::uintptr_t tag = 0;
    std::uint32_t gen = 0;
    bool active = false;
    bool closing = false;  // inside unwatch(): deliver, but do not re-arm
  };

  static unsigned mask() { return static_cast<unsigned>(io_uring_buf_ring_mask(kRecvBuffers)); }
  static std::uint64_t recv_data(int fd, std::uint32_t gen) {
    return (std::uint64_t{gen & 0x3fffffffu} << 32) | static_cast<std::uint32_t>(fd);
  }
  std::uint8_t* recv_buffer(unsigned bid) { return recv_mem_.data() + std::size_t{bid} * kRecvBufferSize; }

  // Runs the receives the kernel has queued for this thread (deferred task work): all of them. A plain
  // IORING_ENTER_GETEVENTS runs only a few (about 20 sockets' worth on recent kernels) when it need not wait for
  // any completion, so the call asks for more completions than the ring holds, with a zero timeout: every
  // deferred receive runs, then the wait ends at once (-ETIME).
  void run_deferred_receives() {
    ++stats_.enters;
    __kernel_timespec zero{};
    io_uring_getevents_arg arg{};
    arg.ts = reinterpret_cast<std::uintptr_t>(&zero);
    io_uring_enter2(static_cast<unsigned>(ring_.ring_fd), 0, kCqEntries, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
                    reinterpret_cast<sigset_t*>(&arg), sizeof arg);
  }

  void submit() {
    ++stats_.enters;
    queued_ = 0;
    io_uring_submit(&ring_);
  }

  io_uring_sqe* next_sqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe != nullptr) return sqe;
    submit();  // the submission queue is full: hand it over, then there is room
    return io_uring_get_sqe(&ring_);
  }

  // Arms fd's multishot receive; false when no submission entry was free (retried at the next reap).
  bool arm(int fd) {
    if (!watches_[static_cast<std::size_t>(fd)].active) return true;  // unwatched meanwhile
    io_uring_sqe* sqe = next_sqe();
    if (sqe == nullptr) return false;
    io_uring_prep_recvmsg_multishot(sqe, fd, &recv_template_, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufferGroup;
    io_uring_sqe_set_data64(sqe, recv_data(fd, watches_[static_cast<std::size_t>(fd)].gen));
    return true;
  }

  bool send_now(int fd, std::span<const std::uint8_t> data, const SockAddr& to) {
    ++stats_.enters;
    if (send_datagram_now(fd, data, to)) return true;
    ++stats_.send_errors;
    return false;
  }

  // Takes every completion: frees send slots, delivers datagrams (when `handler` is given), gives receive
  // buffers back and re-arms receives that ended.
  int reap(DatagramHandler* handler) {
    unsigned head = 0, seen = 0, returned = 0;
    int delivered = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      const std::uint64_t ud = cqe->user_data;
      if ((ud & kSendBit) != 0) {
        free_slots_.push_back(static_cast<std::uint32_t>(ud));
        if (cqe->res < 0) ++stats_.send_errors;
        continue;
      }
      if ((ud & kIgnoreBit) != 0) continue;
      const int fd = static_cast<int>(static_cast<std::uint32_t>(ud));
      const bool current = static_cast<std::size_t>(fd) < watches_.size() &&
                           watches_[static_cast<std::size_t>(fd)].active &&
                           recv_data(fd, watches_[static_cast<std::size_t>(fd)].gen) == ud;
      if ((cqe->flags & IORING_CQE_F_BUFFER) != 0) {
        const unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        if (current && cqe->res > 0 && handler != nullptr)
          delivered += deliver(watches_[static_cast<std::size_t>(fd)].tag, recv_buffer(bid), cqe->res, *handler);
        io_uring_buf_ring_add(br_, recv_buffer(bid), kRecvBufferSize, static_cast<unsigned short>(bid), mask(),
                              static_cast<int>(returned++));
      }
      if ((cqe->flags & IORING_CQE_F_MORE) == 0 && current && !watches_[static_cast<std::size_t>(fd)].closing)
        rearm_.push_back(fd);
    }
    io_uring_cq_advance(&ring_, seen);
    if (returned > 0) io_uring_buf_ring_advance(br_, static_cast<int>(returned));
    std::size_t unarmed = 0;
    for (const int fd : rearm_)
      if (!arm(fd)) rearm_[unarmed++] = fd;
    stats_.receive_rearms += rearm_.size() - unarmed;
    rearm_.resize(unarmed);
    return delivered;
  }

  int deliver(std::uintptr_t tag, std::uint8_t* buf, int res, DatagramHandler& handler) {
    io_uring_recvmsg_out* o = io_uring_recvmsg_validate(buf, res, &recv_template_);
    if (o == nullptr) return 0;
    from_.len = std::min<socklen_t>(o->namelen, recv_template_.msg_namelen);
    std::memcpy(&from_.storage, io_uring_recvmsg_name(o), from_.len);
    std::int64_t stamp = 0;
    for (cmsghdr* c = io_uring_recvmsg_cmsg_firsthdr(o, &recv_template_); c != nullptr;
         c = io_uring_recvmsg_cmsg_nexthdr(o, &recv_template_, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts;
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        stamp = std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
      }
    }
    auto* payload = static_cast<std::uint8_t*>(io_uring_recvmsg_payload(o, &recv_template_));
    const std::size_t len = io_uring_recvmsg_payload_length(o, res, &recv_template_);
    handler.on_datagram(tag, {payload, len, (o->flags & MSG_TRUNC) != 0, from_, stamp});
    return 1;
  }

  // Some kernels and sandboxes set up a ring but refuse the operations: one datagram through the whole path
  // (multishot receive, provided buffer, arrival stamp, queued send) before the worker relies on it.
  bool self_test() {
    struct Probe final : DatagramHandler {
      int got = 0;
      bool stamped = false;
      void on_datagram(std::uintptr_t tag, const Datagram& d) override {
        if (tag == 42 && d.len == 5 && std::memcmp(d.data, "probe", 5) == 0) ++got;
        stamped = stamped || d.arrival_realtime_ns > 0;
      }
    } probe;
    auto a = UdpSocket::bind("127.0.0.1", 0);
    auto b = UdpSocket::bind("127.0.0.1", 0);
    if (!a.ok() || !b.ok()) return false;
    auto to = make_sockaddr("127.0.0.1", b->local_port());
    if (!to.ok()) return false;
    watch(b->fd(), 42);
    static constexpr std::uint8_t kProbe[] = {'p', 'r', 'o', 'b', 'e'};
    bool ok = send(a->fd(), kProbe, *to);
    flush();
    for (int i = 0; ok && i < 200 && probe.got == 0; ++i) {
      receive(probe);
      if (probe.got == 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    ok = ok && probe.got == 1 && probe.stamped;
    unwatch(b->fd());
    receive(probe);
    handler_ = nullptr;
    stats_ = {};
    return ok && free_slots_.size() == kSendSlots;
  }

  io_uring ring_{};
  bool ring_ok_ = false;
  unsigned p_features_ = 0;  // IORING_FEAT_* of the ring
  io_uring_buf_ring* br_ = nullptr;
  std::vector<std::uint8_t> recv_mem_;
  msghdr recv_template_{};
  std::vector<SendSlot> slots_;
  std::vector<std::uint8_t> send_mem_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<Watch> watches_;  // by fd
  std::size_t active_ = 0;
  std::vector<int> rearm_;
  unsigned queued_ = 0;
  std::chrono::steady_clock::time_point first_queued_;  // when the oldest queued send was queued
  DatagramHandler* handler_ = nullptr;  // the one receive() was last given; unwatch() delivers to it
  SockAddr from_;
  PacketIoStats stats_;
};

}  // namespace

std::unique_ptr<PacketIo> make_uring_io() {
  auto io = std::make_unique<UringIo>();
  if (!io->init()) return nullptr;
  return io;
}

}  // namespace confpro::media
