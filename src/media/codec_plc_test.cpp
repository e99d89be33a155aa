#include "media/codec_plc.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "media/tone.h"

namespace confpro::media {
namespace {

TEST(Plc, ContinuesAVoicedToneAtFullLevelForTenMilliseconds) {
  Plc plc(8000);
  ToneGenerator gen(250, 8000, 8000);  // period 32 samples: within the 66-200 Hz... and above
  std::vector<std::int16_t> frame(160);
  for (int i = 0; i < 10; ++i) {
    gen.fill(frame);
    plc.on_good(frame);
  }
  std::vector<std::int16_t> lost(80);  // 10 ms
  plc.fill(lost);
  std::vector<std::int16_t> truth(80);
  gen.fill(truth);
  EXPECT_GT(snr_db(truth, lost, 0), 20.0) << "the continuation is in phase with what was lost";
  EXPECT_NEAR(total_power(lost), total_power(truth), total_power(truth) * 0.1);
}

TEST(Plc, FadesToSilenceAfterSixtyMilliseconds) {
  Plc plc(16000);
  ToneGenerator gen(150, 8000, 16000);
  std::vector<std::int16_t> frame(320);
  for (int i = 0; i < 10; ++i) {
    gen.fill(frame);
    plc.on_good(frame);
  }
  std::vector<std::int16_t> lost(320);
  plc.fill(lost);  // 0-20 ms: full, then fading
  const double first = total_power(lost);
  plc.fill(lost);  // 20-40 ms
  const double second = total_power(lost);
  plc.fill(lost);  // 40-60 ms
  plc.fill(lost);  // 60-80 ms: silent
  EXPECT_GT(first, second);
  EXPECT_EQ(total_power(lost), 0.0);
}

TEST(Plc, TheFirstGoodFrameAfterALossJoinsWithoutAClick) {
  // The real signal resumes at a phase the concealment could not know; averaged over every phase, the jump at
  // the joint is much smaller with the cross-fade than without.
  double jump_raw = 0, jump_faded = 0;
  for (int phase = 0; phase < 40; ++phase) {
    Plc plc(8000);
    ToneGenerator gen(200, 8000, 8000);
    std::vector<std::int16_t> frame(160);
    for (int i = 0; i < 10; ++i) {
      gen.fill(frame);
      plc.on_good(frame);
    }
    std::vector<std::int16_t> lost(160);
    plc.fill(lost);
    ToneGenerator resumed(200, 8000, 8000);
    std::vector<std::int16_t> skip(static_cast<std::size_t>(phase) + 1);
    resumed.fill(skip);
    resumed.fill(frame);
    std::vector<std::int16_t> raw(frame);
    plc.on_good(frame);
    jump_raw += std::abs(raw[0] - lost.back());
    jump_faded += std::abs(frame[0] - lost.back());
    EXPECT_EQ(std::vector<std::int16_t>(frame.begin() + 32, frame.end()),
              std::vector<std::int16_t>(raw.begin() + 32, raw.end()))
        << "only the first 4 ms are touched";
  }
  EXPECT_LT(jump_faded, jump_raw / 3);
}

TEST(Plc, SilenceConcealsAsSilence) {
  Plc plc(8000);
  std::vector<std::int16_t> frame(160, 0);
  plc.on_good(frame);
  std::vector<std::int16_t> lost(160, 123);
  plc.fill(lost);
  EXPECT_EQ(total_power(lost), 0.0);
}

}  // namespace
}  // namespace confpro::media
