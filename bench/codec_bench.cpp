// Per-20 ms-frame cost of the media DSP units: encode/decode per codec (Opus at several complexities),
// resampling between 8/16/48 kHz, jitter buffer insert+pull, in-band DTMF detection, talk detection.
// Run: build/bench/codec_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <random>
#include <vector>

#include "media/audio_file.h"
#include "media/codec.h"
#include "media/dtmf.h"
#include "media/jitter_buffer.h"
#include "media/opus_codec.h"
#include "media/resampler.h"
#include "media/rtp.h"
#include "media/session.h"
#include "media/socket.h"
#include "media/tone.h"
#include "media/vad.h"
#include "rtp_spec.h"
#include "speechlike.h"

namespace {

using namespace confpro::media;

using confpro::bench::speechlike;

CodecKind kind_of(std::int64_t i) { return static_cast<CodecKind>(i); }

void BM_Encode(benchmark::State& state) {
  const auto kind = kind_of(state.range(0));
  const int rate = native_rate(kind);
  const auto frame = static_cast<std::size_t>(rate / 50);
  auto pcm = speechlike(rate);
  auto enc = make_encoder(CodecSpec{.kind = kind});
  std::vector<std::uint8_t> out(1500);
  std::size_t off = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(enc->encode(std::span(pcm).subspan(off, frame), out));
    off = (off + frame) % (pcm.size() - frame + 1);
  }
  state.SetLabel(to_string(kind));
}
BENCHMARK(BM_Encode)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

// Speech for quality figures: the spoken prompts installed with the product (asterisk-core-sounds-en-wav), up to
// 10 s, at `rate`; the speech-like signal when they are absent.
std::vector<std::int16_t> spoken(int rate) {
  std::vector<std::int16_t> all;
  const std::string dir = "/usr/share/asterisk/sounds/en_US_f_Allison/";
  for (const char* name : {"conf-onlyperson.wav", "conf-getpin.wav", "conf-invalidpin.wav", "conf-muted.wav",
                           "conf-unmuted.wav", "conf-locked.wav", "conf-thereare.wav", "conf-waitforleader.wav"}) {
    auto pcm = read_audio_file(dir + name, rate);
    if (pcm.ok()) all.insert(all.end(), pcm->samples.begin(), pcm->samples.end());
    if (all.size() >= static_cast<std::size_t>(rate) * 10) break;
  }
  if (all.size() < static_cast<std::size_t>(rate)) return speechlike(rate);
  return all;
}

// SNR (dB) of `pcm` after the engine's Opus (16 kHz PCM, 32 kbit/s) at `complexity`, aligned on the codec's
// delay. Opus does not aim at the waveform, so this only compares complexities with each other.
double opus_snr_db(const std::vector<std::int16_t>& pcm, int complexity) {
  auto enc = make_opus_encoder(OpusEncoderOptions{.complexity = complexity, .sample_rate = 16000});
  auto dec = make_opus_decoder(true, 16000);
  std::vector<std::int16_t> out(pcm.size());
  std::vector<std::uint8_t> payload(1500);
  for (std::size_t off = 0; off + 320 <= pcm.size(); off += 320) {
    const int n = enc->encode(std::span(pcm).subspan(off, 320), payload);
    dec->decode(std::span(payload).first(static_cast<std::size_t>(std::max(n, 0))), std::span(out).subspan(off, 320));
  }
  double best = -100;
  for (std::size_t lag = 0; lag < 400; ++lag) {
    double sig = 0, err = 0;
    for (std::size_t i = 0; i + lag < out.size(); ++i) {
      const double x = pcm[i], e = static_cast<double>(out[i + lag]) - x;
      sig += x * x;
      err += e * e;
    }
    if (err > 0) best = std::max(best, 10 * std::log10(sig / err));
  }
  return best;
}

void BM_OpusEncodeComplexity(benchmark::State& state) {
  auto pcm = speechlike(48000);
  const int complexity = static_cast<int>(state.range(0));
  auto enc = make_opus_encoder(OpusEncoderOptions{.complexity = complexity});
  std::vector<std::uint8_t> out(1500);
  std::size_t off = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(enc->encode(std::span(pcm).subspan(off, 960), out));
    off = (off + 960) % (pcm.size() - 960 + 1);
  }
  static const std::vector<std::int16_t> speech = spoken(16000);
  state.counters["snr_db_16k_speech"] = opus_snr_db(speech, complexity);
}
BENCHMARK(BM_OpusEncodeComplexity)->Arg(0)->Arg(3)->Arg(5)->Arg(8)->Arg(10)->Unit(benchmark::kMicrosecond);

void BM_Decode(benchmark::State& state) {
  const auto kind = kind_of(state.range(0));
  const int rate = native_rate(kind);
  const auto frame = static_cast<std::size_t>(rate / 50);
  auto pcm = speechlike(rate);
  auto enc = make_encoder(CodecSpec{.kind = kind});
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<std::uint8_t> out(1500);
  for (std::size_t off = 0; off + frame <= pcm.size(); off += frame) {
    int n = enc->encode(std::span(pcm).subspan(off, frame), out);
    packets.emplace_back(out.begin(), out.begin() + n);
  }
  auto dec = make_decoder(CodecSpec{.kind = kind});
  std::vector<std::int16_t> decoded(5760);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(dec->decode(packets[i], decoded));
    i = (i + 1) % packets.size();
  }
  state.SetLabel(to_string(kind));
}
BENCHMARK(BM_Decode)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

// Opus straight at the 16 kHz mix rate (no resamplers) vs the 48 kHz native rate.
void BM_OpusAtPcmRate(benchmark::State& state) {
  const int rate = static_cast<int>(state.range(0));
  const bool encode = state.range(1) != 0;
  const bool silence = state.range(2) != 0;  // digital silence (a quiet room), what most frames carry
  const auto frame = static_cast<std::size_t>(rate / 50);
  auto pcm = silence ? std::vector<std::int16_t>(static_cast<std::size_t>(rate), 0) : speechlike(rate);
  auto enc = make_opus_encoder(OpusEncoderOptions{.sample_rate = rate});
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<std::uint8_t> out(1500);
  for (std::size_t off = 0; off + frame <= pcm.size(); off += frame) {
    int n = enc->encode(std::span(pcm).subspan(off, frame), out);
    packets.emplace_back(out.begin(), out.begin() + n);
  }
  auto dec = make_opus_decoder(true, rate);
  std::vector<std::int16_t> decoded(5760);
  std::size_t i = 0, off = 0;
  for (auto _ : state) {
    if (encode) {
      benchmark::DoNotOptimize(enc->encode(std::span(pcm).subspan(off, frame), out));
      off = (off + frame) % (pcm.size() - frame + 1);
    } else {
      benchmark::DoNotOptimize(dec->decode(packets[i], decoded));
      i = (i + 1) % packets.size();
    }
  }
  state.SetLabel(std::string(encode ? "encode" : "decode") + (silence ? " silence" : ""));
}
BENCHMARK(BM_OpusAtPcmRate)->ArgNames({"rate", "enc", "silence"})->Args({16000, 0, 0})->Args({48000, 0, 0})
    ->Args({16000, 1, 0})->Args({48000, 1, 0})->Args({16000, 0, 1})->Args({16000, 1, 1})
    ->Unit(benchmark::kMicrosecond);

// One received frame then one lost frame: the cost of concealing right after audio (the PLC's real work;
// after a long loss spandsp just writes silence). Subtract BM_Decode for the concealment alone.
void BM_DecodeThenConceal(benchmark::State& state) {
  const auto kind = kind_of(state.range(0));
  const int rate = native_rate(kind);
  const auto frame = static_cast<std::size_t>(rate / 50);
  auto pcm = speechlike(rate);
  auto enc = make_encoder(CodecSpec{.kind = kind});
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<std::uint8_t> out(1500);
  for (std::size_t off = 0; off + frame <= pcm.size(); off += frame) {
    int n = enc->encode(std::span(pcm).subspan(off, frame), out);
    packets.emplace_back(out.begin(), out.begin() + n);
  }
  auto dec = make_decoder(CodecSpec{.kind = kind});
  std::vector<std::int16_t> decoded(5760);
  std::size_t i = 0;
  for (auto _ : state) {
    dec->decode(packets[i], decoded);
    benchmark::DoNotOptimize(dec->conceal(decoded, frame));
    i = (i + 1) % packets.size();
  }
  state.SetLabel(to_string(kind));
}
BENCHMARK(BM_DecodeThenConceal)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

void BM_Resample(benchmark::State& state) {
  const int in = static_cast<int>(state.range(0)), out_rate = static_cast<int>(state.range(1));
  const int quality = static_cast<int>(state.range(2));
  auto r = Resampler::create({.in_rate = in, .out_rate = out_rate, .quality = quality});
  auto pcm = speechlike(in);
  std::vector<std::int16_t> out(static_cast<std::size_t>(out_rate / 50));
  const auto frame = static_cast<std::size_t>(in / 50);
  std::size_t off = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize((*r)->process(std::span(pcm).subspan(off, frame), out));
    off = (off + frame) % (pcm.size() - frame + 1);
  }
}
BENCHMARK(BM_Resample)
    ->ArgNames({"in", "out", "q"})
    ->Args({8000, 16000, 3})->Args({16000, 8000, 3})->Args({48000, 16000, 3})->Args({16000, 48000, 3})
    ->Args({8000, 48000, 3})->Args({48000, 8000, 3})
    ->Args({8000, 16000, 5})->Args({16000, 8000, 5})->Args({48000, 16000, 5})->Args({16000, 48000, 5})
    ->Unit(benchmark::kMicrosecond);

// One packet in and one frame out per iteration, with PCMU decoding (the common case) at a fixed 5 ms transit.
void BM_JitterBufferInsertPull(benchmark::State& state) {
  const auto kind = kind_of(state.range(0));
  const int rate = native_rate(kind);
  const int clock = kind == CodecKind::kOpus ? 48000 : 8000;
  const auto frame = static_cast<std::size_t>(rate / 50);
  auto pcm = speechlike(rate);
  auto enc = make_encoder(CodecSpec{.kind = kind});
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<std::uint8_t> buf(1500);
  for (std::size_t off = 0; off + frame <= pcm.size(); off += frame) {
    int n = enc->encode(std::span(pcm).subspan(off, frame), buf);
    packets.emplace_back(buf.begin(), buf.begin() + n);
  }
  JitterBuffer jb({.clock_rate = clock, .sample_rate = rate});
  auto dec = make_decoder(CodecSpec{.kind = kind});
  std::vector<std::int16_t> out(frame);
  auto t = SteadyTime{} + std::chrono::seconds(100);
  std::uint32_t ts = 0;
  std::uint16_t seq = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    jb.insert(1, seq++, ts, packets[i], t + std::chrono::milliseconds(5));
    benchmark::DoNotOptimize(jb.pull(*dec, out, t + std::chrono::milliseconds(27)));
    ts += static_cast<std::uint32_t>(clock / 50);
    t += std::chrono::milliseconds(20);
    i = (i + 1) % packets.size();
  }
  state.SetLabel(std::string(to_string(kind)) + " incl. decode");
}
BENCHMARK(BM_JitterBufferInsertPull)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

// A participant's receive path for one 20 ms packet and one tick: Session::on_rtp (parse, checks, statistics,
// jitter buffer insert) then Session::pull (jitter buffer, decode, level, talk detector), at a 16 kHz mix.
// Args: codec, and 1 for speech, 0 for the digital silence of a settled encoder (what most senders send
// in a room most of the time, and what media_load's silent senders send).
void BM_SessionReceive(benchmark::State& state) {
  const auto kind = kind_of(state.range(0));
  const bool speech = state.range(1) != 0;
  const CodecSpec spec = confpro::bench::rtp_spec_for(kind);
  const int rate = native_rate(kind);
  const auto frame = static_cast<std::size_t>(rate / 50);
  auto pcm = speech ? speechlike(rate) : std::vector<std::int16_t>(static_cast<std::size_t>(rate), 0);
  auto enc = make_encoder(spec);
  std::vector<std::uint8_t> buf(1500), packet(1600);
  std::vector<std::vector<std::uint8_t>> packets;
  for (int pass = 0; pass < 2; ++pass) {  // the first pass settles the encoder
    packets.clear();
    for (std::size_t off = 0; off + frame <= pcm.size(); off += frame) {
      const int n = enc->encode(std::span(pcm).subspan(off, frame), buf);
      packets.emplace_back(buf.begin(), buf.begin() + n);
    }
  }
  PortAllocator ports(40000, 40100);
  auto pair = ports.allocate("127.0.0.1");
  if (!pair.ok()) {
    state.SkipWithError("no port");
    return;
  }
  SessionParams params;
  params.remote_ip = "127.0.0.1";
  params.remote_port = 40200;
  params.codec = spec;
  auto session = Session::create(confpro::MediaSessionId{1}, params, std::move(*pair), SessionConfig{});
  if (!session.ok()) {
    state.SkipWithError("no session");
    return;
  }
  const SockAddr from = *make_sockaddr("127.0.0.1", 40200);
  const EventSink sink = [](Event) {};
  auto t = SteadyTime{} + std::chrono::seconds(100);
  RtpHeader h;
  h.payload_type = static_cast<std::uint8_t>(spec.payload_type);
  h.ssrc = 0x1234;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t len = build_rtp(h, packets[i], packet);
    (*session)->on_rtp(packet.data(), len, false, from, t + std::chrono::milliseconds(5), sink);
    benchmark::DoNotOptimize((*session)->pull(t + std::chrono::milliseconds(27), sink));
    ++h.sequence;
    h.timestamp += static_cast<std::uint32_t>(spec.clock_rate / 50);
    t += std::chrono::milliseconds(20);
    i = (i + 1) % packets.size();
  }
  state.SetLabel(std::string(to_string(kind)) + (speech ? " speech" : " silence"));
}
BENCHMARK(BM_SessionReceive)->ArgsProduct({{0, 2, 3}, {0, 1}})->Unit(benchmark::kMicrosecond);

// A joined participant that sends nothing: the tick still pulls (and gets kEmpty).
void BM_JitterBufferPullEmpty(benchmark::State& state) {
  JitterBuffer jb({});
  auto dec = make_decoder(CodecSpec{});
  std::vector<std::int16_t> out(160);
  auto t = SteadyTime{} + std::chrono::seconds(100);
  for (auto _ : state) {
    benchmark::DoNotOptimize(jb.pull(*dec, out, t));
    t += std::chrono::milliseconds(20);
  }
}
BENCHMARK(BM_JitterBufferPullEmpty);

void BM_InbandDtmfDetect(benchmark::State& state) {
  auto pcm = speechlike(8000);
  InbandDtmfDetector det;
  std::array<DigitEvent, 4> out{};
  std::size_t off = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(det.process(std::span(pcm).subspan(off, 160), out));
    off = (off + 160) % (pcm.size() - 160 + 1);
  }
}
BENCHMARK(BM_InbandDtmfDetect)->Unit(benchmark::kMicrosecond);

void BM_TalkDetector(benchmark::State& state) {
  const int rate = static_cast<int>(state.range(0));
  auto pcm = speechlike(rate);
  TalkDetector vad;
  const auto frame = static_cast<std::size_t>(rate / 50);
  std::size_t off = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(vad.process(std::span(pcm).subspan(off, frame), rate));
    off = (off + frame) % (pcm.size() - frame + 1);
  }
}
BENCHMARK(BM_TalkDetector)->Arg(8000)->Arg(16000)->Arg(48000)->Unit(benchmark::kMicrosecond);

void BM_Rfc4733ReceivePacket(benchmark::State& state) {
  Rfc4733Receiver rx(8000);
  std::array<std::uint8_t, 4> p{5, 10, 0, 160};
  std::uint32_t ts = 0;
  int n = 0;
  auto t = std::chrono::steady_clock::time_point{};
  for (auto _ : state) {
    if (++n % 8 == 0) ts += 1600;  // a new event every 8 packets
    benchmark::DoNotOptimize(rx.on_packet(p, ts, t));
  }
}
BENCHMARK(BM_Rfc4733ReceivePacket);

}  // namespace

BENCHMARK_MAIN();
