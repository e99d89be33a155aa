// Mixer cost per 20 ms tick vs room size and number of talkers (Google Benchmark), at 16 kHz and 48 kHz.
// Counters: ns per tick for the whole room, and per participant.
#include <benchmark/benchmark.h>

#include <vector>

#include "media/mixer.h"
#include "media/tone.h"

namespace confpro::media {
namespace {

void BM_MixerTick(benchmark::State& state) {
  const int participants = static_cast<int>(state.range(0));
  const int talkers = static_cast<int>(state.range(1));
  const int rate = static_cast<int>(state.range(2));
  Mixer mixer(MixerOptions{rate, 20});
  std::vector<MixSlot> slots;
  for (int i = 0; i < participants; ++i) slots.push_back(mixer.add({}));
  std::vector<std::vector<std::int16_t>> voices;
  for (int t = 0; t < talkers; ++t) voices.push_back(make_tone(300.0 + 100.0 * t, 8000, rate, 0.02));
  std::int64_t sink = 0;
  for (auto _ : state) {
    for (int t = 0; t < talkers; ++t) mixer.set_input(slots[static_cast<std::size_t>(t)], voices[static_cast<std::size_t>(t)], true);
    mixer.mix();
    for (auto s : slots) sink += mixer.output(s)[7];
  }
  benchmark::DoNotOptimize(sink);
  state.counters["ns_per_participant"] =
      benchmark::Counter(static_cast<double>(participants), benchmark::Counter::kIsIterationInvariantRate |
                                                                benchmark::Counter::kInvert);
}

BENCHMARK(BM_MixerTick)
    ->ArgNames({"participants", "talkers", "rate"})
    ->Args({3, 1, 16000})
    ->Args({10, 1, 16000})
    ->Args({10, 3, 16000})
    ->Args({50, 3, 16000})
    ->Args({200, 3, 16000})
    ->Args({200, 10, 16000})
    ->Args({1000, 3, 16000})
    ->Args({10, 3, 48000})
    ->Args({200, 3, 48000})
    ->Unit(benchmark::kMicrosecond);

void BM_SoftLimit(benchmark::State& state) {
  std::vector<std::int32_t> in(320);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::int32_t>(i * 997 % 90000) - 45000;
  std::int64_t sink = 0;
  for (auto _ : state) {
    for (auto v : in) sink += soft_limit(v);
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations() * 320);
}
BENCHMARK(BM_SoftLimit);

}  // namespace
}  // namespace confpro::media

BENCHMARK_MAIN();
