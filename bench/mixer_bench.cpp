// Mixer cost per 20 ms tick vs room size and number of talkers (Google Benchmark), at 16 kHz and 48 kHz.
// Counters: ns per tick for the whole room, and per participant. BM_RoomAllTalking: a room of 10 all talking,
// mix and encode as media/room.cpp does (own encode per contributor and per hang, one shared encode for the
// rest), with max_speakers 0 (everyone mixed) against the default 3 (issue 17 item 4).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "media/codec.h"
#include "media/mixer.h"
#include "media/tone.h"
#include "speechlike.h"

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

void BM_RoomAllTalking(benchmark::State& state) {
  const auto kind = static_cast<CodecKind>(state.range(0));
  const int max_speakers = static_cast<int>(state.range(1));
  const int rate = native_rate(kind);  // the room mixes at the codec's rate here: no resampling on either side
  const auto frame = static_cast<std::size_t>(rate / 50);
  constexpr int kRoom = 10;
  Mixer mixer(MixerOptions{rate, 20, max_speakers});
  std::vector<MixSlot> slots;
  std::vector<std::unique_ptr<Encoder>> own;
  for (int i = 0; i < kRoom; ++i) {
    slots.push_back(mixer.add({}));
    own.push_back(make_encoder(CodecSpec{.kind = kind}));
  }
  auto shared = make_encoder(CodecSpec{.kind = kind});
  const auto voice = bench::speechlike(rate, 2);
  std::vector<std::uint8_t> out(1500);
  std::size_t off = 0;
  std::int64_t encodes = 0, ticks = 0;
  for (auto _ : state) {
    for (int i = 0; i < kRoom; ++i)  // everyone talks, each at another place in the speech
      mixer.set_input(slots[static_cast<std::size_t>(i)],
                      std::span(voice).subspan((off + static_cast<std::size_t>(i) * 4 * frame) % (voice.size() - frame),
                                               frame),
                      true);
    off = (off + frame) % voice.size();
    mixer.mix();
    bool shared_done = false;
    for (int i = 0; i < kRoom; ++i) {
      const MixSlot s = slots[static_cast<std::size_t>(i)];
      if (mixer.output_kind(s) == MixOutput::kFullMix) {
        if (!shared_done) benchmark::DoNotOptimize(shared->encode(mixer.full_mix(), out));
        encodes += shared_done ? 0 : 1;
        shared_done = true;
      } else {
        benchmark::DoNotOptimize(own[static_cast<std::size_t>(i)]->encode(mixer.output(s), out));
        ++encodes;
      }
    }
    ++ticks;
  }
  state.counters["encodes_per_tick"] = static_cast<double>(encodes) / static_cast<double>(std::max<std::int64_t>(ticks, 1));
  state.SetLabel(std::string(to_string(kind)) + (max_speakers == 0 ? ", everyone mixed" : ", max_speakers " +
                                                                          std::to_string(max_speakers)));
}
BENCHMARK(BM_RoomAllTalking)
    ->ArgNames({"codec", "max_speakers"})
    ->Args({static_cast<int>(CodecKind::kPcmu), 0})
    ->Args({static_cast<int>(CodecKind::kPcmu), 3})
    ->Args({static_cast<int>(CodecKind::kOpus), 0})
    ->Args({static_cast<int>(CodecKind::kOpus), 3})
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
