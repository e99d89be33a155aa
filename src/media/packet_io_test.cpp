#include "media/packet_io.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace confpro::media {
namespace {

struct Received {
  std::uintptr_t tag;
  std::vector<std::uint8_t> data;
  bool truncated;
  std::uint16_t from_port;
  std::int64_t stamp;
};

struct Collector final : DatagramHandler {
  std::vector<Received> got;
  void on_datagram(std::uintptr_t tag, const Datagram& d) override {
    got.push_back({tag, {d.data, d.data + d.len}, d.truncated, d.from.port(), d.arrival_realtime_ns});
  }
};

// Receives until `want` datagrams came or a second passed.
void receive_until(PacketIo& io, Collector& c, std::size_t want) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (c.got.size() < want && std::chrono::steady_clock::now() < until) {
    io.receive(c);
    if (c.got.size() < want) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::int64_t realtime_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class PacketIoTest : public ::testing::TestWithParam<PacketIoKind> {
 protected:
  void SetUp() override {
    io_ = GetParam() == PacketIoKind::kUring ? make_uring_io() : make_epoll_io();
    if (!io_) GTEST_SKIP() << "io_uring refused by this kernel";
    for (auto* s : {&a_, &b_, &c_}) {
      auto bound = UdpSocket::bind("127.0.0.1", 0);
      ASSERT_TRUE(bound.ok());
      *s = std::move(*bound);
    }
  }
  SockAddr to(const UdpSocket& s) { return *make_sockaddr("127.0.0.1", s.local_port()); }

  std::unique_ptr<PacketIo> io_;
  UdpSocket a_, b_, c_;
};

TEST_P(PacketIoTest, QueuedSendsArriveWithTheSocketsTagSourceAndKernelStamp) {
  EXPECT_EQ(io_->kind(), GetParam());
  ASSERT_TRUE(io_->watch(b_.fd(), 11));
  ASSERT_TRUE(io_->watch(c_.fd(), 22));
  const std::int64_t before = realtime_now_ns();
  for (int i = 0; i < 300; ++i) {  // more than one flush batch
    const std::uint8_t payload[3] = {static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8), 7};
    ASSERT_TRUE(io_->send(a_.fd(), payload, i % 2 == 0 ? to(b_) : to(c_)));
  }
  io_->flush();
  Collector got;
  receive_until(*io_, got, 300);
  ASSERT_EQ(got.got.size(), 300u);
  int to_b = 0;
  for (const auto& r : got.got) {
    ASSERT_EQ(r.data.size(), 3u);
    const int i = r.data[0] | (r.data[1] << 8);
    EXPECT_EQ(r.tag, i % 2 == 0 ? 11u : 22u) << i;
    EXPECT_EQ(r.from_port, a_.local_port());
    EXPECT_FALSE(r.truncated);
    EXPECT_GE(r.stamp, before - 1000000);
    EXPECT_LE(r.stamp, realtime_now_ns());
    to_b += r.tag == 11u;
  }
  EXPECT_EQ(to_b, 150);
  EXPECT_EQ(io_->stats().send_errors, 0u);
}

TEST_P(PacketIoTest, NothingIsDeliveredAfterUnwatchEvenWhenTheFdIsReused) {
  ASSERT_TRUE(io_->watch(b_.fd(), 11));
  const std::uint8_t one[1] = {1};
  io_->send(a_.fd(), one, to(b_));
  io_->flush();
  Collector got;
  receive_until(*io_, got, 1);
  ASSERT_EQ(got.got.size(), 1u);
  const int fd = b_.fd();
  io_->unwatch(fd);
  const SockAddr old = to(b_);
  ::sendto(a_.fd(), one, 1, 0, reinterpret_cast<const sockaddr*>(&old.storage), old.len);
  b_ = UdpSocket();  // closed; the next socket is likely to get the same fd number
  auto again = UdpSocket::bind("127.0.0.1", 0);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(io_->watch(again->fd(), 33));
  const std::uint8_t two[1] = {2};
  io_->send(a_.fd(), two, to(*again));
  io_->flush();
  got.got.clear();
  receive_until(*io_, got, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  io_->receive(got);
  ASSERT_EQ(got.got.size(), 1u);
  EXPECT_EQ(got.got[0].tag, 33u);
  EXPECT_EQ(got.got[0].data[0], 2);
}

TEST_P(PacketIoTest, UnwatchLosesNothingTheSocketReceived) {
  Collector got;
  ASSERT_TRUE(io_->watch(b_.fd(), 11));
  io_->receive(got);  // the handler unwatch() delivers to
  for (int i = 0; i < 5; ++i) {
    const std::uint8_t x[1] = {static_cast<std::uint8_t>(i)};
    ASSERT_TRUE(io_->send(a_.fd(), x, to(b_)));
    io_->flush();  // may let the kernel read b's earlier datagrams already
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  io_->unwatch(b_.fd());
  std::size_t left = 0;  // what was not delivered must still be in the socket, for its next owner
  std::uint8_t buf[16];
  while (::recv(b_.fd(), buf, sizeof buf, MSG_DONTWAIT) > 0) ++left;
  EXPECT_EQ(got.got.size() + left, 5u) << got.got.size() << " delivered";
}

// A session that joins a room on another worker is watched and unwatched within one tick: what already waited
// in its socket (its first RTCP report, say) must not be lost on the way.
TEST_P(PacketIoTest, ADatagramWaitingWhenAWatchEndsAtOnceIsNotLost) {
  Collector got;
  io_->receive(got);
  const SockAddr dst = to(b_);
  const std::uint8_t x[1] = {7};
  ASSERT_EQ(::sendto(a_.fd(), x, 1, 0, reinterpret_cast<const sockaddr*>(&dst.storage), dst.len), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_TRUE(io_->watch(b_.fd(), 11));
  io_->unwatch(b_.fd());
  io_->receive(got);
  std::size_t left = 0;
  std::uint8_t buf[16];
  while (::recv(b_.fd(), buf, sizeof buf, MSG_DONTWAIT) > 0) ++left;
  EXPECT_EQ(got.got.size() + left, 1u);
}

TEST_P(PacketIoTest, AnOversizedDatagramIsMarkedTruncatedNotCrashed) {
  ASSERT_TRUE(io_->watch(b_.fd(), 11));
  std::vector<std::uint8_t> big(4000, 0xab);
  const SockAddr dst = to(b_);
  ASSERT_EQ(::sendto(a_.fd(), big.data(), big.size(), 0, reinterpret_cast<const sockaddr*>(&dst.storage), dst.len),
            static_cast<ssize_t>(big.size()));
  Collector got;
  receive_until(*io_, got, 1);
  ASSERT_EQ(got.got.size(), 1u);
  EXPECT_TRUE(got.got[0].truncated);
  EXPECT_LE(got.got[0].data.size(), 2048u);
}

TEST_P(PacketIoTest, ASocketThatFloodsMoreThanTheBuffersKeepsBeingRead) {
  ASSERT_TRUE(io_->watch(b_.fd(), 11));
  int rcvbuf = 32 << 20;  // all of the flood waits in the socket at once
  if (setsockopt(b_.fd(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    GTEST_SKIP() << "needs CAP_NET_ADMIN for a large receive buffer";
  const SockAddr dst = to(b_);
  const std::uint8_t x[1] = {9};
  constexpr int kFlood = 12000;  // more than the io_uring's provided buffers: its receive ends and is re-armed
  for (int i = 0; i < kFlood; ++i)
    ::sendto(a_.fd(), x, 1, 0, reinterpret_cast<const sockaddr*>(&dst.storage), dst.len);
  Collector got;
  receive_until(*io_, got, kFlood);
  EXPECT_EQ(got.got.size(), static_cast<std::size_t>(kFlood));
  if (GetParam() == PacketIoKind::kUring) {
    EXPECT_GT(io_->stats().receive_rearms, 0u);  // its provided buffers ran out, and it went on
  }
}

INSTANTIATE_TEST_SUITE_P(BothKinds, PacketIoTest, ::testing::Values(PacketIoKind::kUring, PacketIoKind::kEpoll),
                         [](const auto& param_info) {
                           return std::string(param_info.param == PacketIoKind::kUring ? "Uring" : "Epoll");
                         });

TEST(PacketIo, AutoPicksIoUringWhenTheKernelAllowsItElseEpoll) {
  auto io = make_packet_io(PacketIoKind::kAuto);
  ASSERT_TRUE(io);
  EXPECT_EQ(io->kind(), make_uring_io() ? PacketIoKind::kUring : PacketIoKind::kEpoll);
  EXPECT_EQ(make_packet_io(PacketIoKind::kEpoll)->kind(), PacketIoKind::kEpoll);
}

}  // namespace
}  // namespace confpro::media
