// The DSP units do not allocate per frame once built (media/ must not allocate per packet). A binary of its own
// (media_alloc_test) because it replaces the global operator new to count allocations. C libraries' own malloc
// calls are not seen here; libopus, speexdsp and spandsp allocate only in their *_create/*_init.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <new>
#include <thread>
#include <vector>

#include "media/codec.h"
#include "media/dtmf.h"
#include "media/jitter_buffer.h"
#include "media/packet_io.h"
#include "media/player.h"
#include "media/recorder.h"
#include "media/resampler.h"
#include "media/tone.h"
#include "media/vad.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

// GCC cannot see that these replace the global pair, and warns that free() meets operator new's pointer.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace confpro::media {
namespace {

// Counts allocations made by this thread's code between construction and destruction.
class AllocationCounter {
 public:
  AllocationCounter() {
    g_allocations = 0;
    g_counting = true;
  }
  ~AllocationCounter() { g_counting = false; }
  long count() const { return g_allocations.load(); }
};

TEST(NoAllocation, TheCounterSeesAnAllocation) {
  AllocationCounter counter;
  auto v = std::make_unique<std::vector<int>>(100);
  EXPECT_GE(counter.count(), 2);
  EXPECT_EQ(v->size(), 100u);
}

TEST(NoAllocation, CodecsEncodeDecodeAndConcealWithoutAllocating) {
  for (auto kind : {CodecKind::kPcmu, CodecKind::kPcma, CodecKind::kG722, CodecKind::kOpus}) {
    auto enc = make_encoder({.kind = kind});
    auto dec = make_decoder({.kind = kind});
    const auto frame = static_cast<std::size_t>(native_rate(kind) / 50);
    auto pcm = make_tone(440, 8000, native_rate(kind), 0.02);
    std::vector<std::uint8_t> payload(1500);
    std::vector<std::int16_t> out(5760);
    int n = enc->encode(pcm, payload);  // warm-up: lazily built tables
    dec->decode(std::span(payload).first(static_cast<std::size_t>(n)), out);
    AllocationCounter counter;
    for (int i = 0; i < 50; ++i) {
      n = enc->encode(pcm, payload);
      dec->decode(std::span(payload).first(static_cast<std::size_t>(n)), out);
      if (i % 5 == 0) dec->conceal(out, frame, std::span(payload).first(static_cast<std::size_t>(n)));
      if (i % 7 == 0) dec->conceal(out, frame);
    }
    EXPECT_EQ(counter.count(), 0) << to_string(kind);
  }
}

TEST(NoAllocation, ResamplerJitterBufferDtmfAndTalkDetector) {
  auto up = Resampler::create({.in_rate = 8000, .out_rate = 48000});
  auto down = Resampler::create({.in_rate = 48000, .out_rate = 16000});
  JitterBuffer jb({});
  auto dec = make_decoder({});
  auto enc = make_encoder({});
  Rfc4733Receiver rx;
  Rfc4733Sender tx;
  InbandDtmfDetector inband;
  TalkDetector vad;
  auto pcm = make_dtmf('5', 8000, 20, 0);
  std::vector<std::uint8_t> payload(160);
  enc->encode(pcm, payload);
  std::vector<std::int16_t> frame(160), wide(960), mid(320);
  std::array<DigitEvent, 4> digits{};
  auto t = SteadyTime{} + std::chrono::seconds(5);
  AllocationCounter counter;
  for (int i = 0; i < 500; ++i) {
    if (i % 17 != 3) {  // some loss
      jb.insert(1, static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i * 160), payload, t);
    }
    jb.pull(*dec, frame, t + std::chrono::milliseconds(25));
    (*up)->process(frame, wide);
    (*down)->process(wide, mid);
    inband.process(frame, digits);
    vad.process(mid, 16000);
    if (i % 20 == 0) tx.start('7', 100);
    if (auto p = tx.next()) rx.on_packet(p->payload, 4242 + static_cast<std::uint32_t>(i / 20), t);
    rx.poll(t);
    t += std::chrono::milliseconds(20);
  }
  EXPECT_EQ(counter.count(), 0);
  EXPECT_GT(jb.stats().frames_decoded, 400u);
}

TEST(NoAllocation, PlayerAndRecorderPerFrame) {
  auto clip = std::make_shared<Pcm>();
  clip->sample_rate = 16000;
  clip->samples = make_tone(440, 8000, 16000, 0.5);
  Player player({clip, clip}, true);
  const auto path = std::filesystem::temp_directory_path() / ("confpro_alloc_" + std::to_string(::getpid()) + ".wav");
  auto rec = Recorder::open(path.string(), {.sample_rate = 16000, .block_ms = 200});
  ASSERT_TRUE(rec.ok());
  std::vector<std::int16_t> frame(320);
  {
    AllocationCounter counter;
    for (int i = 0; i < 200; ++i) {  // 4 s: many blocks handed to the writer
      player.next_frame(frame);
      player.mix_into(frame, 0.5f);
      (*rec)->write(frame);
    }
    EXPECT_EQ(counter.count(), 0);
  }
  rec->reset();
  std::filesystem::remove(path);
}

// Sends and receives 200 datagrams through `io` after one warm-up; returns the allocations seen meanwhile.
long packet_io_allocations(PacketIo& io) {
  auto a = UdpSocket::bind("127.0.0.1", 0);
  auto b = UdpSocket::bind("127.0.0.1", 0);
  EXPECT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(io.watch(b->fd(), 1));  // command time: may allocate
  struct Count final : DatagramHandler {
    int n = 0;
    void on_datagram(std::uintptr_t, const Datagram&) override { ++n; }
  } sink;
  const SockAddr to = *make_sockaddr("127.0.0.1", b->local_port());
  std::array<std::uint8_t, 172> payload{};
  auto receive_until = [&](int want) {
    for (int i = 0; i < 1000 && sink.n < want; ++i) {
      io.receive(sink);
      if (sink.n < want) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  io.send(a->fd(), payload, to);
  io.flush();
  receive_until(1);
  AllocationCounter counter;
  for (int i = 0; i < 200; ++i) {
    io.send(a->fd(), payload, to);
    if (i % 10 == 9) {
      io.flush();
      io.receive(sink);
    }
  }
  receive_until(201);
  const long allocations = counter.count();
  EXPECT_EQ(sink.n, 201);
  io.unwatch(b->fd());
  return allocations;
}

TEST(NoAllocation, PacketIoSendsAndReceivesWithoutAllocating) {
  if (auto uring = make_uring_io()) {
    EXPECT_EQ(packet_io_allocations(*uring), 0) << "io_uring";
  }
  auto epoll = make_epoll_io();
  ASSERT_TRUE(epoll);
  EXPECT_EQ(packet_io_allocations(*epoll), 0) << "epoll";
}

}  // namespace
}  // namespace confpro::media
