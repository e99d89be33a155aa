#include "media/vad.h"

#include <cmath>

namespace confpro::media {

double level_dbov(std::span<const std::int16_t> pcm) {
  if (pcm.empty()) return -96.0;
  double sum = 0;
  for (auto s : pcm) sum += static_cast<double>(s) * s;
  double rms = std::sqrt(sum / static_cast<double>(pcm.size()));
  if (rms < 1.0) return -96.0;
  return 20.0 * std::log10(rms / 32768.0);
}

std::optional<bool> TalkDetector::process(std::span<const std::int16_t> pcm, int sample_rate) {
  if (sample_rate <= 0 || pcm.empty()) return std::nullopt;
  const int frame_ms = static_cast<int>(pcm.size() * 1000 / static_cast<std::size_t>(sample_rate));
  level_ = media::level_dbov(pcm);
  if (level_ >= opt_.start_dbov) {
    loud_ms_ += frame_ms;
    quiet_ms_ = 0;
  } else if (level_ < opt_.stop_dbov) {
    quiet_ms_ += frame_ms;
    loud_ms_ = 0;
  } else {  // between the thresholds: keeps the current state
    loud_ms_ = 0;
    quiet_ms_ = 0;
  }
  if (!talking_ && loud_ms_ >= opt_.start_ms) {
    talking_ = true;
    return true;
  }
  if (talking_ && quiet_ms_ >= opt_.stop_ms) {
    talking_ = false;
    return false;
  }
  return std::nullopt;
}

void TalkDetector::reset() {
  talking_ = false;
  loud_ms_ = quiet_ms_ = 0;
  level_ = -96.0;
}

}  // namespace confpro::media
