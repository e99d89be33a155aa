#include "media/resampler.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "media/tone.h"

namespace confpro::media {
namespace {

struct RatePair {
  int in, out;
};

class ResamplerRates : public ::testing::TestWithParam<RatePair> {};

TEST_P(ResamplerRates, ToneKeepsItsFrequencyFrameByFrame) {
  const auto [in_rate, out_rate] = GetParam();
  auto r = Resampler::create({.in_rate = in_rate, .out_rate = out_rate});
  ASSERT_TRUE(r.ok());
  const std::size_t in_frame = static_cast<std::size_t>(in_rate / 50);
  const std::size_t out_frame = static_cast<std::size_t>(out_rate / 50);
  ASSERT_EQ((*r)->output_size(in_frame), out_frame);
  ToneGenerator gen(1000, 8000, in_rate);
  std::vector<std::int16_t> in(in_frame), out(out_frame), all;
  for (int i = 0; i < 50; ++i) {
    gen.fill(in);
    ASSERT_EQ((*r)->process(in, out), static_cast<int>(out_frame));
    all.insert(all.end(), out.begin(), out.end());
  }
  std::span<const std::int16_t> tail = std::span(all).subspan(out_frame * 5);
  EXPECT_GT(tone_fraction(tail, 1000, out_rate), 0.95);
  EXPECT_LT(tone_fraction(tail, 1200, out_rate), 0.02);
  // Same level: a sine of amplitude 8000 has a mean square of 3.2e7.
  EXPECT_NEAR(total_power(tail), 3.2e7, 3.2e6);
  auto ref = make_tone(1000, 8000, out_rate, static_cast<double>(all.size()) / out_rate);
  double snr = snr_db(std::span(ref).subspan(out_frame * 5), tail, out_rate / 100);
  std::printf("[ figure ] resample %d -> %d: 1 kHz SNR %.1f dB\n", in_rate, out_rate, snr);
  EXPECT_GT(snr, 30);
}

INSTANTIATE_TEST_SUITE_P(EveryDirection, ResamplerRates,
                         ::testing::Values(RatePair{8000, 16000}, RatePair{16000, 8000}, RatePair{8000, 48000},
                                           RatePair{48000, 8000}, RatePair{16000, 48000}, RatePair{48000, 16000},
                                           RatePair{16000, 16000}),
                         [](const auto& p) { return std::to_string(p.param.in) + "to" + std::to_string(p.param.out); });

TEST(Resampler, DownsamplingRemovesWhatTheLowerRateCannotCarry) {
  auto r = Resampler::create({.in_rate = 16000, .out_rate = 8000});
  ASSERT_TRUE(r.ok());
  ToneGenerator gen(6000, 8000, 16000);  // above 4 kHz: must not alias to 2 kHz
  std::vector<std::int16_t> in(320), out(160), all;
  for (int i = 0; i < 25; ++i) {
    gen.fill(in);
    ASSERT_EQ((*r)->process(in, out), 160);
    all.insert(all.end(), out.begin(), out.end());
  }
  EXPECT_LT(total_power(std::span(all).subspan(800)), 3.2e7 / 100);  // at least 20 dB down
}

TEST(Resampler, RejectsBadRatesAndShortOutput) {
  EXPECT_FALSE(Resampler::create({.in_rate = 4000, .out_rate = 8000}).ok());
  EXPECT_FALSE(Resampler::create({.in_rate = 8000, .out_rate = 96000}).ok());
  EXPECT_FALSE(Resampler::create({.in_rate = 8000, .out_rate = 16000, .quality = 11}).ok());
  auto r = Resampler::create({.in_rate = 8000, .out_rate = 16000});
  std::vector<std::int16_t> in(160), out(100);
  EXPECT_EQ((*r)->process(in, out), -1);
}

TEST(Resampler, WholeClipConversionKeepsDurationAndPitch) {
  auto clip = make_tone(440, 8000, 8000, 1.0);
  auto up = resample_clip(clip, 8000, 16000);
  ASSERT_TRUE(up.ok());
  EXPECT_NEAR(static_cast<double>(up->size()), 16000.0, 2.0);
  EXPECT_GT(tone_fraction(*up, 440, 16000), 0.95);
}

}  // namespace
}  // namespace confpro::media
