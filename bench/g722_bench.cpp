// Spike (issue 3): G.722 at 64 kbit/s, 20 ms frames (320 samples at 16 kHz <-> 160 bytes) with spandsp vs
// Debian's libavcodec (adpcm_g722, send/receive API with a reused AVPacket/AVFrame). Per-frame decode and encode
// cost, the C heap allocations each makes per frame (malloc & co. are counted here: operator new does not see
// a C library's), and equivalence: the same bitstream decoded by both, a tone's SNR through encode/decode both
// ways, and cross-decoding (spandsp-encoded through libavcodec and the reverse). Talks to the libraries
// directly, not through the engine's codec classes, so that it compares the same things whichever the engine
// uses. Run: build/bench/g722_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Single-threaded.
#include <benchmark/benchmark.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <spandsp.h>
}

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numbers>
#include <vector>

#include "speechlike.h"

// --- counting the C heap: every allocation function forwards to glibc's own ---
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}
namespace {
thread_local long t_c_allocations = 0;
}
extern "C" {
void* malloc(std::size_t n) { ++t_c_allocations; return __libc_malloc(n); }
void* calloc(std::size_t a, std::size_t b) { ++t_c_allocations; return __libc_calloc(a, b); }
void* realloc(void* p, std::size_t n) { ++t_c_allocations; return __libc_realloc(p, n); }
void free(void* p) { __libc_free(p); }
void* memalign(std::size_t a, std::size_t n) { ++t_c_allocations; return __libc_memalign(a, n); }
void* aligned_alloc(std::size_t a, std::size_t n) { ++t_c_allocations; return __libc_memalign(a, n); }
int posix_memalign(void** p, std::size_t a, std::size_t n) {
  ++t_c_allocations;
  *p = __libc_memalign(a, n);
  return *p ? 0 : 12;  // ENOMEM
}
}

namespace {

constexpr int kFrame = 320;  // samples at 16 kHz in 20 ms
constexpr int kBytes = 160;

using confpro::bench::speechlike;

std::vector<std::int16_t> tone(double hz, double amplitude, int seconds) {
  std::vector<std::int16_t> v(static_cast<std::size_t>(16000 * seconds));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int16_t>(amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / 16000));
  return v;
}

// --- the two implementations, behind the same two calls ---
struct SpanEnc {
  g722_encode_state_t* s = g722_encode_init(nullptr, 64000, 0);
  ~SpanEnc() { g722_encode_free(s); }
  int encode(const std::int16_t* pcm, std::uint8_t* out) { return g722_encode(s, out, pcm, kFrame); }
};
struct SpanDec {
  g722_decode_state_t* s = g722_decode_init(nullptr, 64000, 0);
  ~SpanDec() { g722_decode_free(s); }
  int decode(const std::uint8_t* in, int n, std::int16_t* pcm) { return g722_decode(s, pcm, in, n); }
};

AVCodecContext* open_av(bool encoder) {
  const AVCodec* c = encoder ? avcodec_find_encoder(AV_CODEC_ID_ADPCM_G722) : avcodec_find_decoder(AV_CODEC_ID_ADPCM_G722);
  AVCodecContext* ctx = avcodec_alloc_context3(c);
  ctx->sample_rate = 16000;
  av_channel_layout_default(&ctx->ch_layout, 1);
  ctx->sample_fmt = AV_SAMPLE_FMT_S16;
  ctx->bit_rate = 64000;
  if (encoder) ctx->frame_size = kFrame;
  if (avcodec_open2(ctx, c, nullptr) < 0) {
    std::fprintf(stderr, "avcodec_open2 failed\n");
    std::abort();
  }
  return ctx;
}

struct AvDec {
  AVCodecContext* ctx = open_av(false);
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  std::vector<std::uint8_t> in = std::vector<std::uint8_t>(2048 + AV_INPUT_BUFFER_PADDING_SIZE, 0);
  ~AvDec() { av_frame_free(&frame); av_packet_free(&pkt); avcodec_free_context(&ctx); }
  int decode(const std::uint8_t* data, int n, std::int16_t* pcm) {
    std::memcpy(in.data(), data, static_cast<std::size_t>(n));
    pkt->data = in.data();
    pkt->size = n;
    if (avcodec_send_packet(ctx, pkt) < 0) return -1;
    if (avcodec_receive_frame(ctx, frame) < 0) return -1;
    const int got = frame->nb_samples;
    std::memcpy(pcm, frame->data[0], static_cast<std::size_t>(got) * 2);
    av_frame_unref(frame);
    return got;
  }
};
struct AvEnc {
  AVCodecContext* ctx = open_av(true);
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  AvEnc() {
    frame->nb_samples = kFrame;
    frame->format = AV_SAMPLE_FMT_S16;
    av_channel_layout_default(&frame->ch_layout, 1);
    frame->sample_rate = 16000;
    if (av_frame_get_buffer(frame, 0) < 0) std::abort();
  }
  ~AvEnc() { av_frame_free(&frame); av_packet_free(&pkt); avcodec_free_context(&ctx); }
  int encode(const std::int16_t* pcm, std::uint8_t* out) {
    if (av_frame_make_writable(frame) < 0) return -1;
    std::memcpy(frame->data[0], pcm, kFrame * 2);
    if (avcodec_send_frame(ctx, frame) < 0) return -1;
    if (avcodec_receive_packet(ctx, pkt) < 0) return -1;
    const int n = pkt->size;
    std::memcpy(out, pkt->data, static_cast<std::size_t>(n));
    av_packet_unref(pkt);
    return n;
  }
};

template <class Enc>
std::vector<std::uint8_t> encode_all(const std::vector<std::int16_t>& pcm) {
  Enc e;
  std::vector<std::uint8_t> bits(pcm.size() / 2);
  for (std::size_t f = 0; f + kFrame <= pcm.size(); f += kFrame)
    if (e.encode(pcm.data() + f, bits.data() + f / 2) != kBytes) std::abort();
  return bits;
}
template <class Dec>
std::vector<std::int16_t> decode_all(const std::vector<std::uint8_t>& bits) {
  Dec d;
  std::vector<std::int16_t> pcm(bits.size() * 2);
  for (std::size_t f = 0; f + kBytes <= bits.size(); f += kBytes)
    if (d.decode(bits.data() + f, kBytes, pcm.data() + 2 * f) != kFrame) std::abort();
  return pcm;
}

// SNR (dB) of `out` against `ref`, at the best lag in [0, 64) samples (the QMF pair delays by 22 samples),
// skipping the first 100 ms (adaptation).
double snr_db(const std::vector<std::int16_t>& ref, const std::vector<std::int16_t>& out) {
  double best = -100;
  for (std::size_t lag = 0; lag < 64; ++lag) {
    double sig = 0, err = 0;
    for (std::size_t i = 1600; i + lag < out.size() && i < ref.size(); ++i) {
      const double x = ref[i], e = static_cast<double>(out[i + lag]) - x;
      sig += x * x;
      err += e * e;
    }
    best = std::max(best, err > 0 ? 10 * std::log10(sig / err) : 200.0);
  }
  return best;
}
// The largest sample difference and the SNR (no lag) between two decodes of the same bitstream.
void agreement(const std::vector<std::int16_t>& a, const std::vector<std::int16_t>& b, int& max_diff, double& snr) {
  max_diff = 0;
  double sig = 0, err = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    max_diff = std::max(max_diff, std::abs(a[i] - b[i]));
    sig += static_cast<double>(a[i]) * a[i];
    err += static_cast<double>(a[i] - b[i]) * (a[i] - b[i]);
  }
  snr = err > 0 ? 10 * std::log10(sig / err) : 200.0;
}

// Runs `frame(i)` once per iteration and reports the C heap allocations it made per frame.
template <class Fn>
void run_frames(benchmark::State& state, Fn frame) {
  long frames = 0;
  const long c0 = t_c_allocations;
  for (auto _ : state) benchmark::DoNotOptimize(frame(frames++));
  state.counters["c_allocs_per_frame"] = static_cast<double>(t_c_allocations - c0) / static_cast<double>(std::max(frames, 1L));
}

template <class Dec>
void BM_Decode(benchmark::State& state) {
  const auto bits = encode_all<SpanEnc>(speechlike(16000));
  Dec d;
  std::vector<std::int16_t> pcm(kFrame);
  const long frames = static_cast<long>(bits.size()) / kBytes;
  run_frames(state, [&](long i) { return d.decode(bits.data() + (i % frames) * kBytes, kBytes, pcm.data()); });
}
BENCHMARK(BM_Decode<SpanDec>)->Name("G722Decode/spandsp")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Decode<AvDec>)->Name("G722Decode/libavcodec")->Unit(benchmark::kMicrosecond);

template <class Enc>
void BM_Encode(benchmark::State& state) {
  const auto pcm = speechlike(16000);
  Enc e;
  std::vector<std::uint8_t> out(kBytes);
  const long frames = static_cast<long>(pcm.size()) / kFrame;
  run_frames(state, [&](long i) { return e.encode(pcm.data() + (i % frames) * kFrame, out.data()); });
}
BENCHMARK(BM_Encode<SpanEnc>)->Name("G722Encode/spandsp")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Encode<AvEnc>)->Name("G722Encode/libavcodec")->Unit(benchmark::kMicrosecond);

// Equivalence, printed once before the timings.
void report_equivalence() {
  const auto speech = speechlike(16000, 3);
  const auto t1k = tone(1000, 8000, 3), t5k = tone(5000, 4000, 3);
  for (const auto* sig : {&speech, &t1k, &t5k}) {
    const char* name = sig == &speech ? "speech-like" : sig == &t1k ? "1 kHz tone" : "5 kHz tone";
    const auto bits_s = encode_all<SpanEnc>(*sig), bits_a = encode_all<AvEnc>(*sig);
    const auto ss = decode_all<SpanDec>(bits_s), sa = decode_all<AvDec>(bits_s);
    const auto as = decode_all<SpanDec>(bits_a), aa = decode_all<AvDec>(bits_a);
    std::size_t same_bytes = 0;
    for (std::size_t i = 0; i < bits_s.size(); ++i) same_bytes += bits_s[i] == bits_a[i];
    int dmax_s, dmax_a;
    double dsnr_s, dsnr_a;
    agreement(ss, sa, dmax_s, dsnr_s);
    agreement(as, aa, dmax_a, dsnr_a);
    std::printf("equivalence %-11s: SNR enc->dec spandsp->spandsp %.2f dB, libav->libav %.2f dB, spandsp->libav %.2f dB, "
                "libav->spandsp %.2f dB; bitstreams identical %.1f%% of bytes; same bits decoded by both: "
                "max |diff| %d / %d, agreement SNR %.1f / %.1f dB (spandsp-coded / libav-coded)\n",
                name, snr_db(*sig, ss), snr_db(*sig, aa), snr_db(*sig, sa), snr_db(*sig, as),
                100.0 * static_cast<double>(same_bytes) / static_cast<double>(bits_s.size()), dmax_s, dmax_a, dsnr_s, dsnr_a);
  }
}

}  // namespace

int main(int argc, char** argv) {
  report_equivalence();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
