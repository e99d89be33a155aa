#include "media/codec_plc.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace confpro::media {

Plc::Plc(int rate)
    : min_period_(rate / 200),          // 200 Hz highest pitch
      max_period_(rate * 15 / 1000),    // ~66 Hz lowest pitch
      corr_span_(rate / 50),            // 20 ms compared
      fade_start_(rate / 100),          // full level for 10 ms
      fade_len_(rate / 20),             // then to silence over 50 ms
      ola_len_(rate / 250),             // 4 ms cross-fade into the next good frame
      history_(static_cast<std::size_t>(corr_span_ + max_period_), 0),
      period_(static_cast<std::size_t>(max_period_), 0.0f) {}

int Plc::find_pitch() const {
  // AMDF: the lag whose shifted copy differs least from the last 20 ms. Above 8 kHz a coarse pass compares every
  // k-th sample at every k-th lag, then the best lag is refined one sample at a time (cost ~ that of 8 kHz).
  const int h = static_cast<int>(history_.size());
  const std::int16_t* x = history_.data() + (h - corr_span_);
  const int k = std::max(1, corr_span_ / 160);
  auto amdf = [&](int p, int stride, std::int64_t limit) {
    std::int64_t sum = 0;
    for (int i = 0; i < corr_span_ && sum < limit; i += stride) sum += std::abs(x[i] - x[i - p]);
    return sum;
  };
  int best = min_period_;
  std::int64_t best_sum = std::numeric_limits<std::int64_t>::max();
  for (int p = min_period_; p <= max_period_; p += k) {
    if (auto sum = amdf(p, k, best_sum); sum < best_sum) {
      best_sum = sum;
      best = p;
    }
  }
  if (k > 1) {
    const int centre = best;
    best_sum = std::numeric_limits<std::int64_t>::max();
    for (int p = std::max(min_period_, centre - k + 1); p <= std::min(max_period_, centre + k - 1); ++p) {
      if (auto sum = amdf(p, 1, best_sum); sum < best_sum) {
        best_sum = sum;
        best = p;
      }
    }
  }
  return best;
}

float Plc::next_synthetic() {
  const float v = period_[static_cast<std::size_t>(offset_)];
  offset_ = (offset_ + 1) % pitch_;
  return v;
}

void Plc::fill(std::span<std::int16_t> out) {
  if (missing_ == 0) {
    pitch_ = find_pitch();
    const std::size_t h = history_.size();
    for (int i = 0; i < pitch_; ++i) period_[static_cast<std::size_t>(i)] = history_[h - static_cast<std::size_t>(pitch_ - i)];
    offset_ = 0;
  }
  for (auto& s : out) {
    float gain = 1.0f;
    if (missing_ >= fade_start_) {
      gain = std::max(0.0f, 1.0f - static_cast<float>(missing_ - fade_start_) / static_cast<float>(fade_len_));
    }
    s = gain > 0.0f ? static_cast<std::int16_t>(std::lround(next_synthetic() * gain)) : 0;
    ++missing_;
  }
}

void Plc::on_good(std::span<std::int16_t> pcm) {
  if (missing_ > 0) {
    // Cross-fade from where the concealment would have gone into the real audio.
    const std::int64_t faded_at = missing_;
    const int n = std::min<int>(ola_len_, static_cast<int>(pcm.size()));
    for (int i = 0; i < n; ++i) {
      const std::int64_t m = faded_at + i;
      float gain = 1.0f;
      if (m >= fade_start_) gain = std::max(0.0f, 1.0f - static_cast<float>(m - fade_start_) / static_cast<float>(fade_len_));
      const float w = static_cast<float>(i + 1) / static_cast<float>(n + 1);
      const float v = w * pcm[static_cast<std::size_t>(i)] + (1.0f - w) * gain * next_synthetic();
      pcm[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L));
    }
    missing_ = 0;
  }
  const std::size_t h = history_.size();
  if (pcm.size() >= h) {
    std::memcpy(history_.data(), pcm.data() + (pcm.size() - h), h * sizeof(std::int16_t));
  } else {
    std::memmove(history_.data(), history_.data() + pcm.size(), (h - pcm.size()) * sizeof(std::int16_t));
    std::memcpy(history_.data() + (h - pcm.size()), pcm.data(), pcm.size() * sizeof(std::int16_t));
  }
}

}  // namespace confpro::media
