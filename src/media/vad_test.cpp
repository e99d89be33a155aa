#include "media/vad.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "media/audio_file.h"
#include "media/tone.h"

namespace confpro::media {
namespace {

constexpr int kRate = 16000;
constexpr std::size_t kFrame = 320;

std::vector<std::int16_t> loud() { return make_tone(300, 3000, kRate, 0.02); }  // ~ -24 dBov
std::vector<std::int16_t> quiet() { return make_tone(300, 50, kRate, 0.02); }   // ~ -59 dBov

TEST(TalkDetector, LevelIsInDbov) {
  auto full = make_tone(1000, 32767, kRate, 0.02);
  EXPECT_NEAR(level_dbov(full), -3.0, 0.1);
  EXPECT_NEAR(level_dbov(loud()), -20.0 * std::log10(32768.0 / 3000.0) - 3.0, 0.2);
  std::vector<std::int16_t> silence(kFrame, 0);
  EXPECT_EQ(level_dbov(silence), -96.0);
}

TEST(TalkDetector, StartsAfterFortyMillisecondsOfSpeech) {
  TalkDetector d;
  auto f = loud();
  EXPECT_EQ(d.process(f, kRate), std::nullopt);
  EXPECT_FALSE(d.talking());
  EXPECT_EQ(d.process(f, kRate), std::optional<bool>(true));
  EXPECT_TRUE(d.talking());
  EXPECT_EQ(d.process(f, kRate), std::nullopt);  // no repeated transition
  EXPECT_GT(d.level_dbov(), -30);
}

TEST(TalkDetector, AShortClickDoesNotStartTalking) {
  TalkDetector d;
  auto l = loud(), q = quiet();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(d.process(i % 2 ? q : l, kRate), std::nullopt);  // 20 ms bursts never reach 40 ms
  }
  EXPECT_FALSE(d.talking());
}

TEST(TalkDetector, StopsOnlyAfterTheHangTime) {
  TalkDetector d;
  auto l = loud(), q = quiet();
  d.process(l, kRate);
  ASSERT_EQ(d.process(l, kRate), std::optional<bool>(true));
  for (int i = 0; i < 19; ++i) EXPECT_EQ(d.process(q, kRate), std::nullopt) << i;  // 380 ms
  EXPECT_EQ(d.process(q, kRate), std::optional<bool>(false));                       // 400 ms
  EXPECT_FALSE(d.talking());
}

TEST(TalkDetector, PausesBetweenWordsKeepTalking) {
  TalkDetector d;
  auto l = loud(), q = quiet();
  d.process(l, kRate);
  d.process(l, kRate);
  ASSERT_TRUE(d.talking());
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 10; ++i) EXPECT_EQ(d.process(q, kRate), std::nullopt);  // 200 ms pause
    EXPECT_EQ(d.process(l, kRate), std::nullopt);
  }
  EXPECT_TRUE(d.talking());
}

TEST(TalkDetector, LevelBetweenThresholdsHoldsTheState) {
  TalkDetector d;
  auto mid = make_tone(300, 400, kRate, 0.02);  // ~ -41.3 dBov: between -45 and -40
  for (int i = 0; i < 50; ++i) EXPECT_EQ(d.process(mid, kRate), std::nullopt);
  EXPECT_FALSE(d.talking());
  auto l = loud();
  d.process(l, kRate);
  d.process(l, kRate);
  ASSERT_TRUE(d.talking());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(d.process(mid, kRate), std::nullopt);
  EXPECT_TRUE(d.talking());
}

TEST(TalkDetector, RealSpeechStartsAndStopsOnceAroundTheSentence) {
  auto speech = read_audio_file("/usr/share/asterisk/sounds/en_US_f_Allison/conf-getpin.wav", kRate);
  if (!speech.ok()) GTEST_SKIP() << "asterisk-core-sounds-en-wav is not installed";
  std::vector<std::int16_t> pcm(kRate / 2, 0);  // 0.5 s silence, the sentence, 1 s silence
  pcm.insert(pcm.end(), speech->samples.begin(), speech->samples.end());
  pcm.resize(pcm.size() + kRate, 0);
  TalkDetector d;
  int starts = 0, stops = 0;
  std::size_t first_start = 0;
  for (std::size_t off = 0; off + kFrame <= pcm.size(); off += kFrame) {
    if (auto t = d.process(std::span(pcm).subspan(off, kFrame), kRate)) {
      if (*t && starts++ == 0) first_start = off;
      if (!*t) ++stops;
    }
  }
  EXPECT_EQ(starts, 1) << "pauses between words keep talking";
  EXPECT_EQ(stops, 1);
  EXPECT_GE(first_start, static_cast<std::size_t>(kRate / 2));
  EXPECT_LE(first_start, static_cast<std::size_t>(kRate));
  EXPECT_FALSE(d.talking());
}

}  // namespace
}  // namespace confpro::media
