// Mix-minus mixer (mixer.h).
#include "media/mixer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace confpro::media {
namespace {

std::int32_t gain_to_q12(float gain) {
  if (!(gain > 0.0f)) return 0;
  return static_cast<std::int32_t>(std::lround(std::min(gain, 8.0f) * 4096.0f));
}

void copy_frame(std::span<const std::int16_t> src, std::vector<std::int16_t>& dst) {
  const std::size_t n = std::min(src.size(), dst.size());
  std::memcpy(dst.data(), src.data(), n * sizeof(std::int16_t));
  std::fill(dst.begin() + static_cast<std::ptrdiff_t>(n), dst.end(), std::int16_t{0});
}

}  // namespace

std::int16_t soft_limit(std::int32_t x) {
  constexpr std::int64_t knee = kLimiterKnee;
  constexpr std::int64_t room = 32767 - kLimiterKnee;
  const std::int64_t mag = x < 0 ? -static_cast<std::int64_t>(x) : x;
  if (mag <= knee) return static_cast<std::int16_t>(x);
  const std::int64_t excess = mag - knee;
  const std::int64_t y = knee + room * excess / (excess + room);  // < 32767 for any excess
  return static_cast<std::int16_t>(x < 0 ? -y : y);
}

Mixer::Mixer(const MixerOptions& options)
    : opt_(options),
      frame_(static_cast<std::size_t>(options.sample_rate / 1000 * options.frame_ms)),
      sum_(frame_),
      full_(frame_),
      silence_(frame_),
      room_prompt_(frame_) {}

MixSlot Mixer::add(ParticipantFlags flags) {
  std::size_t slot = 0;
  while (slot < parts_.size() && parts_[slot].used) ++slot;
  if (slot == parts_.size()) parts_.emplace_back();
  Part& p = parts_[slot];
  p = Part{};
  p.used = true;
  p.in.assign(frame_, 0);
  p.prompt.assign(frame_, 0);
  p.out.assign(frame_, 0);
  ++count_;
  set_flags(static_cast<MixSlot>(slot), flags);
  return static_cast<MixSlot>(slot);
}

void Mixer::remove(MixSlot slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= parts_.size() || !parts_[slot].used) return;
  parts_[slot] = Part{};
  --count_;
}

void Mixer::set_flags(MixSlot slot, ParticipantFlags flags) {
  parts_[slot].flags = flags;
  parts_[slot].gain_q12 = gain_to_q12(flags.gain);
}

void Mixer::set_input(MixSlot slot, std::span<const std::int16_t> pcm, bool talking) {
  Part& p = parts_[slot];
  copy_frame(pcm, p.in);
  p.has_input = true;
  p.talking = talking;
}

void Mixer::set_room_prompt(std::span<const std::int16_t> pcm) {
  copy_frame(pcm, room_prompt_);
  has_room_prompt_ = true;
}

void Mixer::set_own_prompt(MixSlot slot, std::span<const std::int16_t> pcm) {
  copy_frame(pcm, parts_[slot].prompt);
  parts_[slot].has_prompt = true;
}

// Among the talkers (more than max_speakers), who is mixed this tick: the speakers of the last tick still talking
// keep their place; free places go to the loudest waiting talkers; then a waiting talker louder than the quietest
// speaker by kSpeakerSwitchRatio takes its place (at most one switch a tick, so the levels settle).
void Mixer::choose_speakers(int talkers) {
  int speakers = 0;
  for (const Part& p : parts_)
    if (p.speaker) ++speakers;
  const auto loudest_waiting = [&]() -> Part* {
    Part* best = nullptr;
    for (Part& p : parts_)
      if (p.talker && !p.speaker && (best == nullptr || p.level > best->level)) best = &p;
    return best;
  };
  for (; speakers < opt_.max_speakers; ++speakers) loudest_waiting()->speaker = true;
  Part* quietest = nullptr;
  for (Part& p : parts_)
    if (p.speaker && (quietest == nullptr || p.level < quietest->level)) quietest = &p;
  Part* challenger = loudest_waiting();
  if (challenger != nullptr && challenger->level > quietest->level * kSpeakerSwitchRatio) {
    quietest->speaker = false;
    challenger->speaker = true;
  }
  waiting_ = talkers - opt_.max_speakers;
}

void Mixer::mix() {
  constexpr float kSmoothing = 1.0f / 8.0f;  // of the talkers' levels: ~160 ms at 20 ms a tick
  contributors_ = 0;
  waiting_ = 0;
  int talkers = 0;
  for (Part& p : parts_) {
    p.talker = p.used && p.has_input && p.talking && !p.flags.muted && !p.flags.listen_only && p.gain_q12 > 0;
    if (!p.talker) {  // a speaker stops being one when it stops talking; a new talker's level starts from 0
      p.speaker = false;
      p.level = 0.0f;
      continue;
    }
    ++talkers;
    if (opt_.max_speakers <= 0) continue;  // everyone is mixed: no level needed
    float energy = 0.0f;
    for (std::size_t i = 0; i < frame_; ++i) energy += static_cast<float>(p.in[i]) * static_cast<float>(p.in[i]);
    const float gain = static_cast<float>(p.gain_q12) / 4096.0f;
    energy *= gain * gain / static_cast<float>(frame_);
    p.level += (energy - p.level) * kSmoothing;
  }
  if (opt_.max_speakers > 0 && talkers > opt_.max_speakers) {
    choose_speakers(talkers);
  } else {
    for (Part& p : parts_) p.speaker = p.talker;
  }
  for (Part& p : parts_) {
    p.contributed = p.talker && p.speaker;
    if (p.contributed) ++contributors_;
  }
  // A silent room (most rooms, most of the time) keeps its zero sum and full mix from the tick before.
  const bool silent = contributors_ == 0 && !has_room_prompt_;
  if (!silent || !sum_is_zero_) {
    std::fill(sum_.begin(), sum_.end(), 0);
    for (Part& p : parts_) {
      if (!p.contributed) continue;
      if (p.gain_q12 != 4096) {
        for (std::size_t i = 0; i < frame_; ++i)
          p.in[i] = soft_limit((std::int32_t{p.in[i]} * p.gain_q12) >> 12);
      }
      for (std::size_t i = 0; i < frame_; ++i) sum_[i] += p.in[i];
    }
    if (has_room_prompt_)
      for (std::size_t i = 0; i < frame_; ++i) sum_[i] += room_prompt_[i];
    for (std::size_t i = 0; i < frame_; ++i) full_[i] = soft_limit(sum_[i]);
    sum_is_zero_ = silent;
  }

  for (Part& p : parts_) {
    if (!p.used) continue;
    if (p.flags.deaf) {
      p.out_kind = p.has_prompt ? MixOutput::kOwn : MixOutput::kSilence;
      if (p.has_prompt) p.out = p.prompt;
    } else if (p.contributed) {
      p.out_kind = MixOutput::kOwn;
      const std::int16_t* own_prompt = p.has_prompt ? p.prompt.data() : silence_.data();
      for (std::size_t i = 0; i < frame_; ++i) p.out[i] = soft_limit(sum_[i] - p.in[i] + own_prompt[i]);
    } else if (p.has_prompt || p.hang > 0) {
      p.out_kind = MixOutput::kOwn;
      const std::int16_t* own_prompt = p.has_prompt ? p.prompt.data() : silence_.data();
      for (std::size_t i = 0; i < frame_; ++i) p.out[i] = soft_limit(sum_[i] + own_prompt[i]);
    } else {
      p.out_kind = MixOutput::kFullMix;
    }
    if (p.contributed) {
      p.hang = kOwnHangTicks;
    } else if (p.hang > 0) {
      --p.hang;
    }
    p.has_input = p.talking = p.has_prompt = false;
  }
  has_room_prompt_ = false;
}

std::span<const std::int16_t> Mixer::output(MixSlot slot) const {
  const Part& p = parts_[slot];
  switch (p.out_kind) {
    case MixOutput::kFullMix: return full_;
    case MixOutput::kOwn: return p.out;
    case MixOutput::kSilence: break;
  }
  return silence_;
}

}  // namespace confpro::media
