// Jitter buffer behaviour under simulated networks: every test drives the buffer with a steady clock of its own
// (no sleeping): packets arrive at computed times, the "worker" pulls a frame every 20 ms.
#include "media/jitter_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>
#include <random>
#include <vector>

#include "media/opus_codec.h"
#include "media/tone.h"

namespace confpro::media {
namespace {

using std::chrono::microseconds;

struct Scenario {
  CodecKind kind = CodecKind::kPcmu;
  int ptime_ms = 20;
  int packets = 250;            // 5 s at 20 ms
  double sender_speed = 1.0;    // > 1: the sender's clock runs fast
  std::uint16_t seq0 = 1000;
  std::uint32_t ts0 = 5000;
  std::uint32_t ssrc = 0x1234;
  int pull_phase_us = 7000;     // where the worker's tick falls within the 20 ms period
  // Network: extra delay of packet i in us, or nullopt when lost; copies sent of packet i.
  std::function<std::optional<std::int64_t>(int)> delay = [](int) { return std::int64_t{5000}; };
  std::function<int(int)> copies = [](int) { return 1; };
  // Source: talk spurts (tone) and pauses (silence), by packet index.
  std::function<bool(int)> talking = [](int) { return true; };
  JitterBufferOptions options{};
  int opus_pcm_rate = 0;        // Opus decoded/encoded at this PCM rate instead of 48000
};

std::unique_ptr<Encoder> encoder_for(const Scenario& s) {
  if (s.opus_pcm_rate) return make_opus_encoder(OpusEncoderOptions{.sample_rate = s.opus_pcm_rate});
  return make_encoder(CodecSpec{.kind = s.kind});
}
std::unique_ptr<Decoder> decoder_for(const Scenario& s) {
  if (s.opus_pcm_rate) return make_opus_decoder(true, s.opus_pcm_rate);
  return make_decoder(CodecSpec{.kind = s.kind});
}

struct Outcome {
  std::vector<std::int16_t> out;          // everything pulled, frame after frame
  std::vector<PullResult> results;
  std::vector<std::int16_t> reference;    // the packets decoded in order with no network
  JitterBufferStats stats;
  double max_delay_ms = 0, last_delay_ms = 0;
  std::vector<double> delays;             // current_delay_ms after each audio pull
  double last_target_ms = 0;
};

Outcome run(Scenario s) {
  const int rate = s.opus_pcm_rate ? s.opus_pcm_rate : native_rate(s.kind);
  const int clock = s.kind == CodecKind::kOpus ? 48000 : 8000;
  s.options.clock_rate = clock;
  s.options.sample_rate = rate;
  const auto packet_samples = static_cast<std::size_t>(rate * s.ptime_ms / 1000);
  auto enc = encoder_for(s);
  auto ref_dec = decoder_for(s);
  ToneGenerator gen(1000, 8000, rate);
  std::vector<std::int16_t> pcm(packet_samples), decoded(5760);
  std::vector<std::uint8_t> buf(1500);
  std::vector<std::vector<std::uint8_t>> payloads;
  Outcome o;
  for (int i = 0; i < s.packets; ++i) {
    if (s.talking(i)) {
      gen.fill(pcm);
    } else {
      std::fill(pcm.begin(), pcm.end(), std::int16_t{0});
    }
    int n = enc->encode(pcm, buf);
    payloads.emplace_back(buf.begin(), buf.begin() + n);
    int m = ref_dec->decode(payloads.back(), decoded);
    o.reference.insert(o.reference.end(), decoded.begin(), decoded.begin() + m);
  }
  struct Arrival {
    std::int64_t at_us;
    int index;
  };
  std::vector<Arrival> arrivals;
  const double ptime_us = s.ptime_ms * 1000.0 / s.sender_speed;
  for (int i = 0; i < s.packets; ++i) {
    auto d = s.delay(i);
    if (!d) continue;
    for (int c = 0; c < s.copies(i); ++c) {
      arrivals.push_back({static_cast<std::int64_t>(i * ptime_us) + *d + c * 100, i});
    }
  }
  std::stable_sort(arrivals.begin(), arrivals.end(), [](auto& a, auto& b) { return a.at_us < b.at_us; });

  JitterBuffer jb(s.options);
  auto dec = decoder_for(s);
  const auto base = SteadyTime{} + std::chrono::seconds(1000);
  std::vector<std::int16_t> frame(jb.frame_samples());
  std::size_t next = 0;
  const std::int64_t end_us = arrivals.empty() ? 0 : arrivals.back().at_us + 500000;
  for (std::int64_t t = s.pull_phase_us; t < end_us; t += 20000) {  // bounded: ends 0.5 s after the last packet
    for (; next < arrivals.size() && arrivals[next].at_us <= t; ++next) {
      const int i = arrivals[next].index;
      jb.insert(s.ssrc, static_cast<std::uint16_t>(s.seq0 + i),
                static_cast<std::uint32_t>(s.ts0 + static_cast<std::uint32_t>(i) * static_cast<std::uint32_t>(clock * s.ptime_ms / 1000)),
                payloads[static_cast<std::size_t>(i)], base + microseconds(arrivals[next].at_us));
    }
    auto r = jb.pull(*dec, frame, base + microseconds(t));
    o.results.push_back(r);
    o.out.insert(o.out.end(), frame.begin(), frame.end());
    if (r == PullResult::kAudio) {
      o.delays.push_back(jb.current_delay_ms());
      o.max_delay_ms = std::max(o.max_delay_ms, jb.current_delay_ms());
    }
  }
  o.stats = jb.stats();
  o.last_delay_ms = jb.current_delay_ms();
  o.last_target_ms = jb.target_delay_ms();
  return o;
}

std::size_t first_audio(const Outcome& o) {
  auto it = std::find(o.results.begin(), o.results.end(), PullResult::kAudio);
  return static_cast<std::size_t>(it - o.results.begin());
}

// Concealed frames while the stream runs (not the short tail after the sender's last packet).
std::size_t conceal_in_stream(const Outcome& o) {
  std::size_t last_audio = o.results.size();
  while (last_audio > 0 && o.results[last_audio - 1] != PullResult::kAudio) --last_audio;
  return static_cast<std::size_t>(std::count(o.results.begin(), o.results.begin() + static_cast<std::ptrdiff_t>(last_audio),
                                             PullResult::kConceal));
}

// The played audio equals the reference (every packet, in order, nothing added or dropped).
void expect_bit_exact(const Outcome& o, std::size_t frame) {
  const std::size_t start = first_audio(o) * frame;
  ASSERT_LE(start + o.reference.size(), o.out.size());
  EXPECT_TRUE(std::equal(o.reference.begin(), o.reference.end(), o.out.begin() + static_cast<std::ptrdiff_t>(start)));
}

double median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

TEST(JitterBuffer, CleanNetworkPlaysEveryPacketWithLowDelay) {
  auto o = run({});
  EXPECT_EQ(o.stats.inserted, 250u);
  EXPECT_EQ(o.stats.frames_decoded, 250u);
  EXPECT_EQ(o.stats.late + o.stats.duplicates + o.stats.frames_dropped + o.stats.frames_inserted, 0u);
  expect_bit_exact(o, 160);
  std::printf("[ figure ] jitter buffer, clean network: delay %.1f ms (target %.1f ms)\n", o.last_delay_ms, o.last_target_ms);
  EXPECT_GE(o.last_delay_ms, 20.0);
  EXPECT_LE(o.last_delay_ms, 40.0);
}

TEST(JitterBuffer, DelayStaysBetweenMinAndMinPlusAFrameWhateverTheTickPhase) {
  for (int phase = 0; phase < 20000; phase += 2500) {
    Scenario s;
    s.pull_phase_us = phase;
    auto o = run(s);
    EXPECT_EQ(o.stats.frames_decoded, 250u) << phase;
    EXPECT_GE(o.last_delay_ms, 19.9) << phase;
    EXPECT_LE(o.last_delay_ms, 40.1) << phase;
  }
}

TEST(JitterBuffer, ReorderedPacketsPlayInOrder) {
  Scenario s;
  s.delay = [](int i) { return std::int64_t{i % 2 == 0 ? 9000 : 3000}; };  // each odd packet overtakes its even one
  auto o = run(s);
  EXPECT_EQ(o.stats.frames_decoded, 250u);
  EXPECT_EQ(o.stats.late, 0u);
  EXPECT_EQ(conceal_in_stream(o), 0u);
  expect_bit_exact(o, 160);
}

TEST(JitterBuffer, DuplicatesAreDropped) {
  Scenario s;
  s.copies = [](int i) { return i % 3 == 0 ? 3 : 1; };
  auto o = run(s);
  EXPECT_EQ(o.stats.duplicates, 84u * 2);
  EXPECT_EQ(o.stats.frames_decoded, 250u);
  expect_bit_exact(o, 160);
}

TEST(JitterBuffer, LostPacketIsConcealedAndPlayKeepsItsPlace) {
  Scenario s;
  s.delay = [](int i) { return i == 100 || i == 150 || i == 151 ? std::nullopt : std::optional<std::int64_t>(5000); };
  auto o = run(s);
  EXPECT_EQ(o.stats.frames_decoded, 247u);
  EXPECT_EQ(o.stats.late, 0u);
  EXPECT_EQ(o.stats.frames_inserted + o.stats.frames_dropped, 0u);
  EXPECT_GE(o.stats.frames_concealed, 3u);
  // Frames after the losses are still the right ones at the right place.
  const std::size_t start = first_audio(o) * 160;
  const std::size_t after = 160 * 160;  // packet 160
  EXPECT_TRUE(std::equal(o.reference.begin() + after, o.reference.end(),
                         o.out.begin() + static_cast<std::ptrdiff_t>(start + after)));
  // The concealed frame continues the tone.
  std::span<const std::int16_t> concealed(o.out.data() + start + 100 * 160, 160);
  EXPECT_GT(tone_fraction(concealed, 1000, 8000), 0.5);
}

TEST(JitterBuffer, TooLatePacketIsDroppedAndRaisesTheTarget) {
  Scenario s;
  s.delay = [](int i) { return std::int64_t{i == 100 ? 120000 : 5000}; };
  auto o = run(s);
  EXPECT_EQ(o.stats.late, 1u);
  EXPECT_GE(o.stats.frames_concealed, 1u);
  EXPECT_EQ(o.stats.frames_decoded, 249u);
}

TEST(JitterBuffer, BurstAfterANetworkFreezeIsPlayedThenTheDelayShrinksAgain) {
  Scenario s;
  s.packets = 750;  // 15 s
  // Packets 100..109 are held and arrive together 200 ms late; talk spurts give the buffer quiet frames.
  s.delay = [](int i) { return std::int64_t{(i >= 100 && i < 110) ? 5000 + (110 - i) * 20000 : 5000}; };
  s.talking = [](int i) { return (i / 50) % 2 == 0; };
  auto o = run(s);
  EXPECT_EQ(o.stats.overflow, 0u);
  EXPECT_LE(o.stats.late, 9u);  // the freeze outlasts the delay: some packets of the burst come too late
  EXPECT_GT(o.max_delay_ms, 100.0) << "the burst is buffered";
  std::printf("[ figure ] jitter buffer after a 200 ms freeze: max delay %.1f ms, final %.1f ms, late %llu\n",
              o.max_delay_ms, o.last_delay_ms, static_cast<unsigned long long>(o.stats.late));
  EXPECT_LE(o.last_delay_ms, 45.0) << "back to a low delay after the freeze";
  EXPECT_GT(o.stats.frames_dropped, 0u);
}

TEST(JitterBuffer, AdaptsToJitterSoFewPacketsComeTooLate) {
  Scenario s;
  s.packets = 1500;  // 30 s
  std::mt19937 rng(42);
  std::vector<std::int64_t> d(1500);
  for (auto& x : d) x = 5000 + std::uniform_int_distribution<std::int64_t>(0, 60000)(rng);
  s.delay = [&d](int i) { return d[static_cast<std::size_t>(i)]; };
  s.talking = [](int i) { return (i / 100) % 3 != 2; };
  auto o = run(s);
  std::printf("[ figure ] jitter buffer, 0-60 ms uniform jitter: target %.1f ms, median delay %.1f ms, late %llu/1500\n",
              o.last_target_ms, median(o.delays), static_cast<unsigned long long>(o.stats.late));
  EXPECT_GE(o.last_target_ms, 55.0);
  EXPECT_LE(o.last_target_ms, 80.0);
  EXPECT_LT(o.stats.late, 30u);  // < 2 %
}

TEST(JitterBuffer, FastSenderClockIsAbsorbedByDroppingQuietFrames) {
  Scenario s;
  s.packets = 3000;           // 60 s
  s.sender_speed = 1.01;      // 1 % fast: 600 ms of surplus over the run
  s.talking = [](int i) { return (i / 50) % 3 != 2; };
  auto o = run(s);
  std::printf("[ figure ] jitter buffer, sender 1%% fast: %llu frames dropped, max delay %.1f ms\n",
              static_cast<unsigned long long>(o.stats.frames_dropped), o.max_delay_ms);
  EXPECT_GE(o.stats.frames_dropped, 25u);
  EXPECT_LE(o.max_delay_ms, 70.0);
  EXPECT_EQ(o.stats.overflow, 0u);
  EXPECT_EQ(o.stats.late, 0u);
}

TEST(JitterBuffer, SlowSenderClockIsAbsorbedByInsertingQuietFrames) {
  Scenario s;
  s.packets = 3000;
  s.sender_speed = 0.99;
  s.talking = [](int i) { return (i / 50) % 3 != 2; };
  auto o = run(s);
  std::printf("[ figure ] jitter buffer, sender 1%% slow: %llu frames inserted, %llu concealed\n",
              static_cast<unsigned long long>(o.stats.frames_inserted),
              static_cast<unsigned long long>(o.stats.frames_concealed));
  // 600 ms to make up = 30 frames: inserted in pauses, or concealed when a talk spurt outlasts the margin.
  EXPECT_GE(o.stats.frames_inserted, 10u);
  EXPECT_GE(conceal_in_stream(o), 25u);
  EXPECT_LE(conceal_in_stream(o), 40u);
  EXPECT_EQ(o.stats.late, 0u);
  EXPECT_EQ(o.stats.frames_decoded, 3000u) << "nothing is lost";
}

TEST(JitterBuffer, SequenceAndTimestampWrapAreSeamless) {
  Scenario s;
  s.seq0 = 65500;
  s.ts0 = 0xFFFFF000u;
  auto o = run(s);
  EXPECT_EQ(o.stats.resets, 0u);
  EXPECT_EQ(o.stats.frames_decoded, 250u);
  expect_bit_exact(o, 160);
}

TEST(JitterBuffer, SixtyMillisecondPacketsFillThreeFrames) {
  Scenario s;
  s.ptime_ms = 60;
  s.packets = 100;
  auto o = run(s);
  EXPECT_EQ(o.stats.frames_decoded, 300u);
  EXPECT_EQ(conceal_in_stream(o), 0u);
  expect_bit_exact(o, 160);
}

TEST(JitterBuffer, TenMillisecondPacketsPairIntoFrames) {
  Scenario s;
  s.ptime_ms = 10;
  s.packets = 500;
  auto o = run(s);
  EXPECT_EQ(o.stats.frames_decoded, 250u);
  EXPECT_EQ(conceal_in_stream(o), 0u);
  expect_bit_exact(o, 160);
}

TEST(JitterBuffer, G722UsesItsEightKilohertzClockAndSixteenKilohertzPcm) {
  Scenario s;
  s.kind = CodecKind::kG722;
  auto o = run(s);
  EXPECT_EQ(o.stats.frames_decoded, 250u);
  expect_bit_exact(o, 320);
}

TEST(JitterBuffer, OpusLossUsesTheNextPacketsFec) {
  Scenario s;
  s.kind = CodecKind::kOpus;
  s.delay = [](int i) { return i == 120 ? std::nullopt : std::optional<std::int64_t>(5000); };
  auto o = run(s);
  EXPECT_EQ(o.stats.frames_fec, 1u);
  EXPECT_EQ(o.stats.frames_decoded, 249u);
}

TEST(JitterBuffer, OpusDecodedAtSixteenKilohertzKeepsItsFortyEightKilohertzClock) {
  Scenario s;
  s.kind = CodecKind::kOpus;
  s.opus_pcm_rate = 16000;
  s.delay = [](int i) { return i == 120 ? std::nullopt : std::optional<std::int64_t>(5000); };
  auto o = run(s);
  EXPECT_EQ(o.stats.frames_decoded, 249u);
  EXPECT_EQ(o.stats.frames_fec, 1u);
  EXPECT_EQ(conceal_in_stream(o), 1u);
  EXPECT_EQ(o.out.size() % 320, 0u);
  std::span<const std::int16_t> played(o.out.data() + first_audio(o) * 320 + 3200, 16000);
  EXPECT_GT(tone_fraction(played, 1000, 16000), 0.9);
}

TEST(JitterBuffer, SsrcChangeRestartsTheStream) {
  JitterBuffer jb({});
  auto dec = make_decoder({});
  std::vector<std::uint8_t> payload(160, 0xFF);
  std::vector<std::int16_t> frame(160);
  auto t = SteadyTime{} + std::chrono::seconds(10);
  for (int i = 0; i < 10; ++i) {
    jb.insert(1, static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i * 160), payload, t);
    jb.pull(*dec, frame, t + std::chrono::milliseconds(25));
    t += std::chrono::milliseconds(20);
  }
  EXPECT_EQ(jb.stats().resets, 0u);
  // New SSRC with unrelated numbers: not "late", not a duplicate.
  EXPECT_TRUE(jb.insert(2, 40000, 999999, payload, t));
  EXPECT_EQ(jb.stats().resets, 1u);
  EXPECT_EQ(jb.packets_buffered(), 1u);
}

TEST(JitterBuffer, WildJumpRestartsInsteadOfWaitingForever) {
  JitterBuffer jb({});
  auto dec = make_decoder({});
  std::vector<std::uint8_t> payload(160, 0xFF);
  std::vector<std::int16_t> frame(160);
  auto t = SteadyTime{} + std::chrono::seconds(10);
  EXPECT_TRUE(jb.insert(1, 10, 1000, payload, t));
  EXPECT_TRUE(jb.insert(1, 11, 1000 + 8000 * 3600, payload, t));  // an hour ahead
  EXPECT_EQ(jb.stats().resets, 1u);
  EXPECT_EQ(jb.pull(*dec, frame, t + std::chrono::milliseconds(30)), PullResult::kAudio);
}

TEST(JitterBuffer, TimestampsMovedBackWithoutSsrcChangeAreFollowedAfterAFewPackets) {
  JitterBuffer jb({});
  auto dec = make_decoder({});
  std::vector<std::uint8_t> payload(160, 0xFF);
  std::vector<std::int16_t> frame(160);
  auto t = SteadyTime{} + std::chrono::seconds(10);
  std::uint16_t seq = 100;
  for (int i = 0; i < 50; ++i) {
    jb.insert(7, seq++, 80000 + static_cast<std::uint32_t>(i) * 160, payload, t);
    jb.pull(*dec, frame, t + std::chrono::milliseconds(25));
    t += std::chrono::milliseconds(20);
  }
  // The phone restarts its timestamps 5 s back (within the wild-jump limit) with the same SSRC.
  int audio = 0;
  for (int i = 0; i < 50; ++i) {
    jb.insert(7, seq++, 40000 + static_cast<std::uint32_t>(i) * 160, payload, t);
    audio += jb.pull(*dec, frame, t + std::chrono::milliseconds(25)) == PullResult::kAudio;
    t += std::chrono::milliseconds(20);
  }
  EXPECT_EQ(jb.stats().late, 10u);
  EXPECT_EQ(jb.stats().resets, 1u);
  EXPECT_GE(audio, 35);
}

TEST(JitterBuffer, SilentSenderGoesIdleAfterShortConcealment) {
  Scenario s;
  s.packets = 50;
  auto o = run(s);
  // After the last packet: 60 ms of concealment at most, then nothing.
  std::size_t last_audio = o.results.size();
  while (last_audio > 0 && o.results[last_audio - 1] != PullResult::kAudio) --last_audio;
  std::size_t conceal_after = 0;
  for (std::size_t i = last_audio; i < o.results.size(); ++i) conceal_after += o.results[i] == PullResult::kConceal;
  EXPECT_LE(conceal_after, 3u);
  EXPECT_EQ(o.results.back(), PullResult::kEmpty);
}

TEST(JitterBuffer, TalkSpurtAfterSilenceSuppressionStartsAfresh) {
  Scenario s;
  s.packets = 300;
  // Packets 100..199 are not sent (the sender suppresses silence); timestamps run on.
  s.delay = [](int i) { return (i >= 100 && i < 200) ? std::nullopt : std::optional<std::int64_t>(5000); };
  auto o = run(s);
  EXPECT_EQ(o.stats.frames_decoded, 200u);
  EXPECT_EQ(o.stats.late, 0u);
  EXPECT_LE(conceal_in_stream(o), 3u);  // at the pause, then it goes idle
  EXPECT_LE(o.last_delay_ms, 40.0);
}

TEST(JitterBuffer, OversizeAndEmptyPayloadsAreRefused) {
  JitterBuffer jb({});
  std::vector<std::uint8_t> big(2000, 1);
  auto t = SteadyTime{};
  EXPECT_FALSE(jb.insert(1, 1, 160, big, t));
  EXPECT_FALSE(jb.insert(1, 2, 320, {}, t));
  EXPECT_EQ(jb.stats().oversize, 1u);
  EXPECT_EQ(jb.packets_buffered(), 0u);
}

TEST(JitterBuffer, FullBufferDropsTheOldestPacket) {
  JitterBufferOptions opt;
  opt.capacity = 4;
  JitterBuffer jb(opt);
  std::vector<std::uint8_t> payload(160, 0xFF);
  auto t = SteadyTime{};
  for (int i = 0; i < 6; ++i) jb.insert(1, static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i * 160), payload, t);
  EXPECT_EQ(jb.packets_buffered(), 4u);
  EXPECT_EQ(jb.stats().overflow, 2u);
}

// The target is kept incrementally (no scan of the window per packet): it must still be what the definition
// says, min(max(min_delay, second-highest - lowest transit + 2 ms), max_delay) over the last 64 packets.
TEST(JitterBuffer, TargetFollowsTheLowestAndSecondHighestTransitOfTheLast64Packets) {
  JitterBuffer jb({});
  auto dec = make_decoder({});
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> jitter_us(0, 30000);
  const std::vector<std::uint8_t> payload(160, 0xff);
  std::vector<std::int16_t> pcm(160);
  std::vector<std::int64_t> transits;
  const auto t0 = SteadyTime{} + std::chrono::seconds(10);
  for (int i = 0; i < 600; ++i) {
    const std::int64_t j = i % 37 == 5 ? 90000 + i * 10 : i % 53 == 9 ? -3000 : jitter_us(rng);  // outliers both ways
    jb.insert(1, static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i * 160), payload,
              t0 + std::chrono::microseconds(std::int64_t{i} * 20000 + j));
    transits.push_back(j);
    jb.pull(*dec, pcm, t0 + std::chrono::milliseconds(i * 20 + 5));
    const std::size_t from = transits.size() > 64 ? transits.size() - 64 : 0;
    std::vector<std::int64_t> window(transits.begin() + static_cast<std::ptrdiff_t>(from), transits.end());
    std::sort(window.begin(), window.end(), std::greater<>());
    const std::int64_t high = window.size() >= 8 ? window[1] : window[0];
    const double expected = std::clamp(static_cast<double>(high - window.back() + 2000) / 1000.0, 20.0, 200.0);
    ASSERT_NEAR(jb.target_delay_ms(), expected, 1e-9) << "packet " << i;
  }
  EXPECT_EQ(jb.stats().resets, 0u);
}

}  // namespace
}  // namespace confpro::media
