#include "media/player.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace confpro::media {

Player::Player(std::vector<PcmPtr> clips, bool loop) : clips_(std::move(clips)), loop_(loop) {
  for (const auto& c : clips_) {
    if (!c) continue;
    if (rate_ == 0) rate_ = c->sample_rate;
    assert(c->sample_rate == rate_ && "all clips of a player share one rate");
  }
  bool any = std::any_of(clips_.begin(), clips_.end(), [](const PcmPtr& c) { return c && !c->samples.empty(); });
  finished_ = !any;
}

template <typename Sink>
std::size_t Player::produce(std::size_t n, Sink&& sink) {
  std::size_t done = 0;
  // Each pass either copies samples or moves to the next clip; an empty looping list is finished.
  for (std::size_t guard = 0; done < n && !finished_ && guard < n + 2 * clips_.size() + 2; ++guard) {
    if (clip_ >= clips_.size()) {
      if (!loop_) {
        finished_ = true;
        break;
      }
      clip_ = 0;
      offset_ = 0;
    }
    const auto& c = clips_[clip_];
    const std::size_t size = c ? c->samples.size() : 0;
    const std::size_t k = std::min(n - done, size - offset_);
    if (k > 0) sink(done, c->samples.data() + offset_, k);
    offset_ += k;
    done += k;
    if (offset_ >= size) {
      ++clip_;
      offset_ = 0;
      if (clip_ >= clips_.size() && !loop_) finished_ = true;
    }
  }
  return done;
}

std::size_t Player::next_frame(std::span<std::int16_t> out) {
  std::size_t done = produce(out.size(), [&](std::size_t at, const std::int16_t* src, std::size_t k) {
    std::memcpy(out.data() + at, src, k * sizeof(std::int16_t));
  });
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(done), out.end(), std::int16_t{0});
  return done;
}

std::size_t Player::mix_into(std::span<std::int16_t> out, float gain) {
  return produce(out.size(), [&](std::size_t at, const std::int16_t* src, std::size_t k) {
    for (std::size_t i = 0; i < k; ++i) {
      const float v = static_cast<float>(out[at + i]) + gain * static_cast<float>(src[i]);
      out[at + i] = static_cast<std::int16_t>(std::clamp(v, -32768.0f, 32767.0f));
    }
  });
}

Result<std::unique_ptr<Player>> make_player(PromptCache& cache, const std::vector<std::string>& files,
                                            int sample_rate, bool loop) {
  std::vector<PcmPtr> clips;
  clips.reserve(files.size());
  for (const auto& f : files) {
    auto clip = cache.load(f, sample_rate);
    if (!clip.ok()) return clip.error();
    clips.push_back(std::move(*clip));
  }
  return std::make_unique<Player>(std::move(clips), loop);
}

}  // namespace confpro::media
