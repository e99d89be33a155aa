#include "media/mixer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "media/tone.h"

namespace confpro::media {
namespace {

constexpr int kRate = 16000;
// Goertzel power over one 20 ms frame: a tone of amplitude 6000-8000 gives 1.8e7-3.2e7; window leakage from a
// neighbouring tone stays under 2e4. Absent means 25 dB below a present tone.
constexpr double kPresent = 5e6;
constexpr double kAbsent = 1e5;

struct Room {
  Mixer mixer{MixerOptions{kRate, 20}};
  ToneGenerator a_tone{440, 8000, kRate}, b_tone{1000, 8000, kRate};
  std::vector<std::int16_t> a_pcm = std::vector<std::int16_t>(320), b_pcm = std::vector<std::int16_t>(320);
  std::vector<std::int16_t> silent = std::vector<std::int16_t>(320);

  // One tick where A plays 440 Hz and B plays 1 kHz (both "talking"), C sends silence.
  void tick(MixSlot a, MixSlot b, MixSlot c) {
    a_tone.fill(a_pcm);
    b_tone.fill(b_pcm);
    mixer.set_input(a, a_pcm, true);
    mixer.set_input(b, b_pcm, true);
    mixer.set_input(c, silent, false);
    mixer.mix();
  }
};

double power_at(std::span<const std::int16_t> pcm, double hz) { return goertzel_power(pcm, hz, kRate); }

TEST(Mixer, EachTalkerHearsTheOtherButNotItself) {
  Room r;
  auto a = r.mixer.add({}), b = r.mixer.add({}), c = r.mixer.add({});
  r.tick(a, b, c);
  auto out_a = r.mixer.output(a);
  EXPECT_GT(power_at(out_a, 1000), kPresent);
  EXPECT_LT(power_at(out_a, 440), kAbsent);
  auto out_b = r.mixer.output(b);
  EXPECT_GT(power_at(out_b, 440), kPresent);
  EXPECT_LT(power_at(out_b, 1000), kAbsent);
  auto out_c = r.mixer.output(c);
  EXPECT_GT(power_at(out_c, 440), kPresent);
  EXPECT_GT(power_at(out_c, 1000), kPresent);
}

TEST(Mixer, ListenersShareOneFullMixAndTalkersGetTheirOwn) {
  Room r;
  auto a = r.mixer.add({}), b = r.mixer.add({}), c = r.mixer.add({}), d = r.mixer.add({});
  r.tick(a, b, c);  // d sends nothing at all
  EXPECT_EQ(r.mixer.contributors(), 2);
  EXPECT_EQ(r.mixer.output_kind(a), MixOutput::kOwn);
  EXPECT_EQ(r.mixer.output_kind(b), MixOutput::kOwn);
  EXPECT_EQ(r.mixer.output_kind(c), MixOutput::kFullMix);
  EXPECT_EQ(r.mixer.output_kind(d), MixOutput::kFullMix);
  EXPECT_EQ(r.mixer.output(c).data(), r.mixer.output(d).data());
}

TEST(Mixer, FormerTalkerKeepsItsOwnStreamForTheHangTime) {
  Room r;
  auto a = r.mixer.add({}), b = r.mixer.add({}), c = r.mixer.add({});
  r.tick(a, b, c);
  for (int i = 0; i < kOwnHangTicks; ++i) {
    r.mixer.set_input(b, r.b_pcm, true);  // only b talks now
    r.mixer.mix();
    EXPECT_EQ(r.mixer.output_kind(a), MixOutput::kOwn) << i;
    EXPECT_GT(power_at(r.mixer.output(a), 1000), kPresent);
  }
  r.mixer.set_input(b, r.b_pcm, true);
  r.mixer.mix();
  EXPECT_EQ(r.mixer.output_kind(a), MixOutput::kFullMix);
}

// A silent room skips summing (its zero mix is kept): it must still go quiet at once after sound, and sound
// again (a talker, then a room prompt) at once after silence.
TEST(Mixer, SilenceAfterSoundIsSilentAndSoundAfterSilenceIsHeard) {
  Room r;
  auto a = r.mixer.add({}), b = r.mixer.add({}), c = r.mixer.add({});
  auto all_zero = [](std::span<const std::int16_t> pcm) {
    return std::all_of(pcm.begin(), pcm.end(), [](std::int16_t v) { return v == 0; });
  };
  r.tick(a, b, c);
  EXPECT_GT(power_at(r.mixer.full_mix(), 440), kPresent);
  for (int i = 0; i < kOwnHangTicks + 2; ++i) {
    r.mixer.mix();  // nobody has input
    EXPECT_TRUE(all_zero(r.mixer.full_mix())) << i;
    EXPECT_TRUE(all_zero(r.mixer.output(a))) << i;  // a former talker's own stream, in its hang time
  }
  r.a_tone.fill(r.a_pcm);
  r.mixer.set_input(a, r.a_pcm, true);
  r.mixer.mix();
  EXPECT_GT(power_at(r.mixer.output(c), 440), kPresent);
  r.mixer.mix();
  r.mixer.mix();
  EXPECT_TRUE(all_zero(r.mixer.full_mix()));
  r.mixer.set_room_prompt(r.b_pcm);
  r.mixer.mix();
  EXPECT_GT(power_at(r.mixer.output(c), 1000), kPresent);
}

TEST(Mixer, MutedParticipantIsNotHeard) {
  Room r;
  auto a = r.mixer.add({.muted = true}), b = r.mixer.add({}), c = r.mixer.add({});
  r.tick(a, b, c);
  EXPECT_LT(power_at(r.mixer.output(c), 440), kAbsent);
  EXPECT_GT(power_at(r.mixer.output(c), 1000), kPresent);
  EXPECT_GT(power_at(r.mixer.output(a), 1000), kPresent);  // still hears the room
  EXPECT_EQ(r.mixer.output_kind(a), MixOutput::kFullMix);
}

TEST(Mixer, ListenOnlyParticipantIsNotHeard) {
  Room r;
  auto a = r.mixer.add({.listen_only = true}), b = r.mixer.add({}), c = r.mixer.add({});
  r.tick(a, b, c);
  EXPECT_LT(power_at(r.mixer.output(c), 440), kAbsent);
  EXPECT_LT(power_at(r.mixer.output(b), 440), kAbsent);
}

TEST(Mixer, NonTalkingInputIsNotMixed) {
  Room r;
  auto a = r.mixer.add({}), b = r.mixer.add({}), c = r.mixer.add({});
  r.a_tone.fill(r.a_pcm);
  r.mixer.set_input(a, r.a_pcm, false);  // the talk detector says no
  r.mixer.set_input(b, r.silent, false);
  r.mixer.mix();
  EXPECT_EQ(r.mixer.contributors(), 0);
  EXPECT_LT(power_at(r.mixer.output(c), 440), 1);
}

TEST(Mixer, DeafParticipantHearsOnlyItsOwnPrompt) {
  Room r;
  auto a = r.mixer.add({}), b = r.mixer.add({}), c = r.mixer.add({.deaf = true});
  r.tick(a, b, c);
  EXPECT_EQ(r.mixer.output_kind(c), MixOutput::kSilence);
  EXPECT_LT(total_power(r.mixer.output(c)), 1);
  auto prompt = make_tone(2000, 6000, kRate, 0.02);
  r.mixer.set_own_prompt(c, prompt);
  r.mixer.set_room_prompt(make_tone(3000, 6000, kRate, 0.02));
  r.tick(a, b, c);
  auto out = r.mixer.output(c);
  EXPECT_GT(power_at(out, 2000), kPresent);
  EXPECT_LT(power_at(out, 3000), kAbsent);
  EXPECT_LT(power_at(out, 440), kAbsent);
  EXPECT_LT(power_at(out, 1000), kAbsent);
}

TEST(Mixer, RoomPromptIsHeardByAllAndOwnPromptOnlyByItsSession) {
  Room r;
  auto a = r.mixer.add({}), b = r.mixer.add({}), c = r.mixer.add({}), d = r.mixer.add({});
  r.mixer.set_room_prompt(make_tone(3000, 6000, kRate, 0.02));
  r.mixer.set_own_prompt(c, make_tone(2000, 6000, kRate, 0.02));
  r.tick(a, b, c);
  for (auto s : {a, b, c, d}) EXPECT_GT(power_at(r.mixer.output(s), 3000), kPresent) << s;
  EXPECT_GT(power_at(r.mixer.output(c), 2000), kPresent);
  EXPECT_EQ(r.mixer.output_kind(c), MixOutput::kOwn);
  for (auto s : {a, b, d}) EXPECT_LT(power_at(r.mixer.output(s), 2000), kAbsent) << s;
}

TEST(Mixer, GainScalesWhatAParticipantSays) {
  Room r;
  auto a = r.mixer.add({.gain = 0.5f}), b = r.mixer.add({}), c = r.mixer.add({});
  r.tick(a, b, c);
  const double p440 = power_at(r.mixer.output(c), 440), p1k = power_at(r.mixer.output(c), 1000);
  EXPECT_NEAR(p440 / p1k, 0.25, 0.03);
}

TEST(Mixer, LimiterNeverWrapsAround) {
  for (std::int32_t x = -400000; x <= 400000; x += 7) {
    const std::int16_t y = soft_limit(x);
    ASSERT_EQ(y >= 0, x >= 0) << x;
    if (x >= -kLimiterKnee && x <= kLimiterKnee) {
      ASSERT_EQ(y, x);
    }
    ASSERT_LE(soft_limit(x), soft_limit(x + 7));  // monotonic
  }
  Mixer m(MixerOptions{kRate, 20});
  std::vector<MixSlot> loud;
  std::vector<std::int16_t> full(320, 30000);
  for (int i = 0; i < 8; ++i) loud.push_back(m.add({}));
  auto listener = m.add({});
  for (auto s : loud) m.set_input(s, full, true);
  m.mix();
  for (auto v : m.output(listener)) {
    EXPECT_GT(v, 30000);  // 240000 summed: compressed near full scale, positive, not wrapped
    EXPECT_LT(v, 32767);
  }
}

TEST(Mixer, RemovedSlotIsReusedAndStartsClean) {
  Mixer m;
  auto a = m.add({.muted = true});
  m.remove(a);
  EXPECT_EQ(m.participants(), 0u);
  auto b = m.add({});
  EXPECT_EQ(a, b);
  EXPECT_FALSE(m.flags(b).muted);
}

}  // namespace
}  // namespace confpro::media
