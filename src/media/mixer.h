// The mix-minus mixer of one room, on 16-bit PCM at the room's mix rate, one frame (20 ms) per tick.
//
// Per tick the owner sets each participant's decoded input (with the talk detector's verdict), the room's prompt
// frame and per-participant prompt frames, then calls mix(). A participant *contributes* when it has input this
// tick, is talking, and is neither muted nor listen-only. Everyone not deaf hears the sum of the contributors
// (int32 accumulate, gain applied on input) plus the room prompt, minus their own voice; a soft limiter shapes
// the result instead of clipping. Encode once, send many: every non-contributor without a prompt of its own hears
// exactly the shared full mix (output_kind() == kFullMix), so the owner encodes that once per codec and rate;
// contributors and those with their own prompt get their own buffer (kOwn). A deaf participant hears only its own
// prompt (kOwn) or nothing (kSilence). A participant that stopped contributing keeps its own output for
// kOwnHangTicks more ticks: stateful codecs (G.722, Opus) carry the last frames in their state and look-ahead,
// so switching at once to the shared stream, whose encoder has just heard this participant, would leak a bit of
// its own voice back to it.
//
// At most `max_speakers` talkers are mixed at a time (WebRTC's audio mixer mixes 3): when more are talking,
// the loudest are, with hysteresis so that the choice does not flicker — a speaker keeps its place while it talks
// unless a waiting talker's smoothed level is 6 dB above the quietest speaker's. A talker not chosen does not
// contribute: like every other listener it hears the shared full mix (so its encode is shared too), and it is
// still reported as talking (the detector runs before the mixer).
//
// Thread safety: one instance belongs to one media worker; add/remove allocate (command time), the per-tick
// calls (set_input, set_*_prompt, mix, output) do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/media_engine.h"

namespace confpro::media {

struct MixerOptions {
  int sample_rate = 16000;  // EngineOptions::mix_rate [16000]
  int frame_ms = 20;        // one tick [20]
  int max_speakers = 3;     // EngineOptions::max_speakers; 0 = everyone who talks [3]
};

// A waiting talker replaces the quietest speaker when its smoothed level is this many times the speaker's
// (mean-square energy: 4 = 6 dB).
inline constexpr float kSpeakerSwitchRatio = 4.0f;

enum class MixOutput { kSilence, kFullMix, kOwn };

inline constexpr int kOwnHangTicks = 5;

using MixSlot = int;

// The soft limiter: identity up to kLimiterKnee, then a smooth curve that approaches but never reaches full
// scale, so a loud sum is compressed instead of wrapped or clipped. Monotonic.
inline constexpr std::int32_t kLimiterKnee = 24576;  // -2.5 dBFS
std::int16_t soft_limit(std::int32_t x);

class Mixer {
 public:
  explicit Mixer(const MixerOptions& options = {});

  MixSlot add(ParticipantFlags flags);  // a new participant; slots are reused after remove()
  void remove(MixSlot slot);
  void set_flags(MixSlot slot, ParticipantFlags flags);
  const ParticipantFlags& flags(MixSlot slot) const { return parts_[slot].flags; }
  std::size_t participants() const { return count_; }
  std::size_t frame_samples() const { return frame_; }
  int sample_rate() const { return opt_.sample_rate; }

  // This tick's input of `slot`: frame_samples() samples (shorter is zero-padded), and whether the talk
  // detector says the participant is talking. Not calling it means no input this tick.
  void set_input(MixSlot slot, std::span<const std::int16_t> pcm, bool talking);
  // This tick's room prompt / own prompt of `slot`; not calling it means none this tick.
  void set_room_prompt(std::span<const std::int16_t> pcm);
  void set_own_prompt(MixSlot slot, std::span<const std::int16_t> pcm);

  // Mixes this tick and clears the inputs and prompts for the next one.
  void mix();

  MixOutput output_kind(MixSlot slot) const { return parts_[slot].out_kind; }
  // What `slot` hears this tick (the shared full mix for kFullMix; zeros for kSilence). Valid until next mix().
  std::span<const std::int16_t> output(MixSlot slot) const;
  std::span<const std::int16_t> full_mix() const { return full_; }
  bool contributed(MixSlot slot) const { return parts_[slot].contributed; }
  int contributors() const { return contributors_; }
  // Talkers left out this tick because max_speakers were louder (benchmarks and tests).
  int waiting_talkers() const { return waiting_; }

 private:
  struct Part {
    bool used = false;
    ParticipantFlags flags;
    std::int32_t gain_q12 = 4096;
    bool has_input = false, talking = false, has_prompt = false, contributed = false;
    int hang = 0;  // ticks of own output left after the last contribution
    bool talker = false;   // would contribute this tick were there no max_speakers
    bool speaker = false;  // chosen among the talkers (kept from tick to tick: the hysteresis)
    float level = 0.0f;    // smoothed mean-square energy while a talker (0 when not)
    MixOutput out_kind = MixOutput::kSilence;
    std::vector<std::int16_t> in, prompt, out;
  };

  MixerOptions opt_;
  std::size_t frame_;
  std::vector<Part> parts_;
  std::size_t count_ = 0;
  std::vector<std::int32_t> sum_;
  std::vector<std::int16_t> full_, silence_, room_prompt_;
  bool has_room_prompt_ = false;
  bool sum_is_zero_ = false;  // sum_ and full_ hold the silence of a tick without contributors or room prompt
  int contributors_ = 0;
  int waiting_ = 0;

  void choose_speakers(int talkers);
};

}  // namespace confpro::media
