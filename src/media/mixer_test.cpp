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

// Issue 17 item 4: ten talking at once, max_speakers 3 — the three loudest are mixed, the other seven hear
// exactly the shared full mix (one encode for all of them) with the three loudest in it and nobody else.
TEST(Mixer, OnlyTheLoudestSpeakersAreMixedAndTheOthersShareTheFullMix) {
  Mixer mixer{MixerOptions{kRate, 20, 3}};
  std::vector<MixSlot> slots;
  std::vector<ToneGenerator> tones;
  std::vector<std::vector<std::int16_t>> pcm(10, std::vector<std::int16_t>(320));
  for (int i = 0; i < 10; ++i) {
    slots.push_back(mixer.add({}));
    // 300, 500, ... 2100 Hz; the three last are the loudest (8000 against 1000, 18 dB).
    tones.emplace_back(300 + 200 * i, i >= 7 ? 8000 : 1000, kRate);
  }
  for (int t = 0; t < 20; ++t) {
    for (int i = 0; i < 10; ++i) {
      tones[i].fill(pcm[i]);
      mixer.set_input(slots[i], pcm[i], true);
    }
    mixer.mix();
  }
  EXPECT_EQ(mixer.contributors(), 3);
  EXPECT_EQ(mixer.waiting_talkers(), 7);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(mixer.contributed(slots[i]), i >= 7) << i;
    EXPECT_EQ(mixer.output_kind(slots[i]), i >= 7 ? MixOutput::kOwn : MixOutput::kFullMix) << i;
  }
  auto full = mixer.full_mix();
  for (int i = 0; i < 10; ++i) {
    if (i >= 7) {
      EXPECT_GT(power_at(full, 300 + 200 * i), kPresent) << i;
    } else {
      EXPECT_LT(power_at(full, 300 + 200 * i), kAbsent) << i;
    }
  }
  auto own = mixer.output(slots[8]);  // a speaker hears the two other speakers, not itself
  EXPECT_GT(power_at(own, 1700), kPresent);
  EXPECT_GT(power_at(own, 2100), kPresent);
  EXPECT_LT(power_at(own, 1900), kAbsent);
}

// Hysteresis: a speaker keeps its place against a waiting talker as loud or 3 dB louder; one 12 dB louder takes
// the quietest speaker's place within a few ticks, once; the speaker left out keeps its own stream for the hang
// time (its codec state still holds its voice), then shares the full mix. max_speakers 0 mixes everyone.
TEST(Mixer, ASpeakerIsReplacedOnlyByAMuchLouderTalker) {
  Mixer mixer{MixerOptions{kRate, 20, 2}};
  const MixSlot a = mixer.add({}), b = mixer.add({}), c = mixer.add({});
  ToneGenerator ta{440, 4000, kRate}, tb{1000, 8000, kRate}, tc_same{1500, 4000, kRate},
      tc_3db{1500, 5657, kRate}, tc_12db{1500, 16000, kRate};
  std::vector<std::int16_t> pa(320), pb(320), pc(320);
  auto tick = [&](ToneGenerator& tc) {
    ta.fill(pa);
    tb.fill(pb);
    tc.fill(pc);
    mixer.set_input(a, pa, true);
    mixer.set_input(b, pb, true);
    mixer.set_input(c, pc, true);
    mixer.mix();
  };
  for (int t = 0; t < 30; ++t) {  // a and b talk first: the two speakers
    ta.fill(pa);
    tb.fill(pb);
    mixer.set_input(a, pa, true);
    mixer.set_input(b, pb, true);
    mixer.mix();
  }
  for (int t = 0; t < 100; ++t) {
    tick(t < 50 ? tc_same : tc_3db);
    ASSERT_TRUE(mixer.contributed(a)) << t;
    ASSERT_TRUE(mixer.contributed(b)) << t;
    ASSERT_FALSE(mixer.contributed(c)) << t;
  }
  int switched_at = -1;
  for (int t = 0; t < 30 && switched_at < 0; ++t) {
    tick(tc_12db);
    if (mixer.contributed(c)) switched_at = t;
  }
  ASSERT_GE(switched_at, 0) << "a talker 12 dB louder never got in";
  EXPECT_LE(switched_at, 10);
  EXPECT_FALSE(mixer.contributed(a));  // the quietest speaker (a, 6 dB under b) left
  EXPECT_TRUE(mixer.contributed(b));
  EXPECT_EQ(mixer.output_kind(a), MixOutput::kOwn);  // hang time
  for (int t = 0; t < kOwnHangTicks; ++t) tick(tc_12db);
  EXPECT_EQ(mixer.output_kind(a), MixOutput::kFullMix);
  EXPECT_GT(power_at(mixer.output(a), 1000), kPresent);
  EXPECT_GT(power_at(mixer.output(a), 1500), kPresent);
  EXPECT_LT(power_at(mixer.output(a), 440), kAbsent);
  for (int t = 0; t < 50; ++t) {  // no flicker back
    tick(tc_12db);
    ASSERT_FALSE(mixer.contributed(a)) << t;
  }

  Mixer everyone{MixerOptions{kRate, 20, 0}};
  std::vector<MixSlot> slots;
  std::vector<std::int16_t> tone(320);
  ToneGenerator g{700, 3000, kRate};
  for (int i = 0; i < 12; ++i) slots.push_back(everyone.add({}));
  g.fill(tone);
  for (MixSlot s : slots) everyone.set_input(s, tone, true);
  everyone.mix();
  EXPECT_EQ(everyone.contributors(), 12);
  EXPECT_EQ(everyone.waiting_talkers(), 0);
}

}  // namespace
}  // namespace confpro::media
