#include "media/tone.h"

#include <gtest/gtest.h>

namespace confpro::media {
namespace {

TEST(Tone, GoertzelFindsThePresentToneAndNotAnAbsentOne) {
  auto pcm = make_tone(1000, 10000, 16000, 0.2);
  EXPECT_NEAR(goertzel_power(pcm, 1000, 16000), 5e7, 5e6);  // A^2 / 2
  EXPECT_NEAR(total_power(pcm), 5e7, 5e6);
  EXPECT_GT(tone_fraction(pcm, 1000, 16000), 0.95);
  EXPECT_LT(tone_fraction(pcm, 440, 16000), 0.01);
  EXPECT_TRUE(tone_present(pcm, 1000, 16000));
  EXPECT_FALSE(tone_present(pcm, 440, 16000));
}

TEST(Tone, MixtureSplitsItsEnergyBetweenTheTones) {
  auto pcm = make_tone(440, 6000, 16000, 0.5);
  ToneGenerator(1000, 6000, 16000).add(pcm);
  EXPECT_NEAR(tone_fraction(pcm, 440, 16000), 0.5, 0.05);
  EXPECT_NEAR(tone_fraction(pcm, 1000, 16000), 0.5, 0.05);
}

TEST(Tone, GeneratorIsPhaseContinuousAcrossFrames) {
  ToneGenerator gen(1000, 8000, 8000);
  std::vector<std::int16_t> a(37), b(63);
  gen.fill(a);
  gen.fill(b);
  std::vector<std::int16_t> joined(a);
  joined.insert(joined.end(), b.begin(), b.end());
  auto whole = make_tone(1000, 8000, 8000, 100.0 / 8000);
  ASSERT_EQ(joined.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) EXPECT_NEAR(joined[i], whole[i], 1) << i;
}

TEST(Tone, DtmfDigitHasItsRowAndColumnTones) {
  auto pcm = make_dtmf('5', 8000, 100, 0);  // 770 + 1336 Hz
  EXPECT_NEAR(tone_fraction(pcm, 770, 8000), 0.5, 0.05);
  EXPECT_NEAR(tone_fraction(pcm, 1336, 8000), 0.5, 0.05);
  EXPECT_LT(tone_fraction(pcm, 697, 8000), 0.05);
  auto none = make_dtmf('x', 8000);
  EXPECT_EQ(total_power(none), 0);
}

TEST(Tone, SnrIsHighForACopyAndLowForNoise) {
  auto a = make_tone(700, 8000, 8000, 0.1);
  std::vector<std::int16_t> delayed(a.size(), 0);
  std::copy(a.begin(), a.end() - 5, delayed.begin() + 5);
  EXPECT_GT(snr_db(a, delayed, 10), 40);
  auto b = make_tone(1900, 8000, 8000, 0.1);
  EXPECT_LT(snr_db(a, b, 10), 0);
}

}  // namespace
}  // namespace confpro::media
