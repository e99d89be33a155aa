// Talk detector: energy-based with hysteresis and hang time. "Talking" starts after start_ms of frames above
// the start threshold and stops after stop_ms of frames below the stop threshold (a few dB lower).
// Thread safety: one instance belongs to one worker thread; process() does not allocate.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace confpro::media {

struct TalkDetectorOptions {
  double start_dbov = -40.0;  // frame level at or above this counts towards talking [-40 dBov]
  double stop_dbov = -45.0;   // frame level below this counts towards silence [-45 dBov]
  int start_ms = 40;          // continuous loud audio before talking starts [40]
  int stop_ms = 400;          // continuous quiet audio before talking stops (hang time) [400]
};

// Level of a PCM frame in dBov (0 = full-scale square wave, a full-scale sine is about -3); -96 for silence.
double level_dbov(std::span<const std::int16_t> pcm);

class TalkDetector {
 public:
  explicit TalkDetector(const TalkDetectorOptions& options = {}) : opt_(options) {}

  // Feeds one frame of `sample_rate` PCM; returns true/false when talking starts/stops with this frame.
  std::optional<bool> process(std::span<const std::int16_t> pcm, int sample_rate);
  bool talking() const { return talking_; }
  double level_dbov() const { return level_; }  // level of the last frame
  void reset();

 private:
  TalkDetectorOptions opt_;
  bool talking_ = false;
  int loud_ms_ = 0, quiet_ms_ = 0;
  double level_ = -96.0;
};

}  // namespace confpro::media
