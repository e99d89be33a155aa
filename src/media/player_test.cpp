#include "media/player.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "media/tone.h"

namespace confpro::media {
namespace {

PcmPtr clip(double freq, double seconds, int rate = 16000) {
  auto p = std::make_shared<Pcm>();
  p->sample_rate = rate;
  p->samples = make_tone(freq, 8000, rate, seconds);
  return p;
}

TEST(Player, PlaysClipsInOrderFrameByFrameThenFinishes) {
  Player p({clip(440, 0.1), clip(1000, 0.05)}, false);  // 5 + 2.5 frames of 20 ms
  std::vector<std::int16_t> frame(320);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(p.next_frame(frame), 320u);
    EXPECT_TRUE(tone_present(frame, 440, 16000, 0.9)) << i;
  }
  EXPECT_EQ(p.next_frame(frame), 320u);
  EXPECT_TRUE(tone_present(frame, 1000, 16000, 0.9));
  EXPECT_EQ(p.next_frame(frame), 320u);
  EXPECT_FALSE(p.finished());
  EXPECT_EQ(p.next_frame(frame), 160u);  // the last half frame, then silence
  EXPECT_TRUE(p.finished());
  EXPECT_TRUE(std::all_of(frame.begin() + 160, frame.end(), [](auto s) { return s == 0; }));
  EXPECT_EQ(p.next_frame(frame), 0u);
}

TEST(Player, LoopsUntilStopped) {
  Player p({clip(440, 0.03)}, true);  // 1.5 frames: the loop point falls inside a frame
  std::vector<std::int16_t> frame(320);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(p.next_frame(frame), 320u);
  EXPECT_FALSE(p.finished());
}

TEST(Player, EmptyListAndEmptyClipsFinishAtOnce) {
  Player none({}, true);
  EXPECT_TRUE(none.finished());
  auto empty = std::make_shared<Pcm>();
  empty->sample_rate = 16000;
  Player looping_empty({empty, nullptr}, true);
  std::vector<std::int16_t> frame(320, 7);
  EXPECT_EQ(looping_empty.next_frame(frame), 0u);
  EXPECT_TRUE(looping_empty.finished());
  EXPECT_EQ(frame[0], 0);
}

TEST(Player, MixIntoAddsToWhatIsThere) {
  Player p({clip(1000, 0.1)}, false);
  std::vector<std::int16_t> frame(320);
  ToneGenerator(440, 8000, 16000).fill(frame);
  EXPECT_EQ(p.mix_into(frame, 1.0f), 320u);
  EXPECT_NEAR(tone_fraction(frame, 440, 16000), 0.5, 0.06);
  EXPECT_NEAR(tone_fraction(frame, 1000, 16000), 0.5, 0.06);
}

TEST(Player, MakePlayerLoadsThroughTheCacheAndFailsOnAMissingFile) {
  PromptCache cache;
  auto bad = make_player(cache, {"/nonexistent/prompt.wav"}, 16000, false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
  const std::string real = "/usr/share/asterisk/sounds/en_US_f_Allison/conf-getpin.wav";
  if (!std::filesystem::exists(real)) GTEST_SKIP();
  auto ok = make_player(cache, {real, real}, 16000, false);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(cache.size(), 1u);
  std::vector<std::int16_t> frame(320);
  int frames = 0;
  while (!(*ok)->finished() && frames < 100000) {
    (*ok)->next_frame(frame);
    ++frames;
  }
  auto clip_len = cache.load(real, 16000).value()->samples.size();
  EXPECT_EQ(frames, static_cast<int>((2 * clip_len + 319) / 320));
}

}  // namespace
}  // namespace confpro::media
