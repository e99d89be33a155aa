// Per-20 ms-frame cost of the media DSP units (codecs, resampling, jitter buffer, DTMF, talk detection).
#include <benchmark/benchmark.h>

#include "media/codec.h"

static void BM_NativeRate(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(confpro::media::native_rate(confpro::media::CodecKind::kOpus));
}
BENCHMARK(BM_NativeRate);

BENCHMARK_MAIN();
