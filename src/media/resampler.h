// Sample-rate conversion of 16-bit mono PCM with speexdsp, for one fixed rate pair (8000/16000/48000 in any
// direction; equal rates copy). Used per participant stream: codec native rate <-> the room's mix rate.
// Thread safety: one instance belongs to one worker thread. create() allocates; process() does not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/result.h"

namespace confpro::media {

struct ResamplerOptions {
  int in_rate = 8000;    // input sample rate, Hz [8000]
  int out_rate = 16000;  // output sample rate, Hz [16000]
  int quality = 3;       // speex quality 0..10 [3: ~0.1 us/sample, inaudible loss for speech]
};

class Resampler {
 public:
  // Fails with kInvalidArgument for rates outside 8000..48000 or a quality outside 0..10.
  static Result<std::unique_ptr<Resampler>> create(const ResamplerOptions& options);
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  // Converts all of `in` into exactly output_size(in.size()) samples of `out` (which must be at least that
  // large) and returns that count, or -1 when `out` is too small. Works on whole frames of any length whose
  // duration is a whole number of input samples at both rates (e.g. 10/20/60 ms). The filter delays the signal
  // by a fixed ~1-2 ms (the filter); state carries over between calls, so frames join without clicks.
  int process(std::span<const std::int16_t> in, std::span<std::int16_t> out);
  std::size_t output_size(std::size_t in_samples) const;
  void reset();  // forget history (new stream)

  int in_rate() const { return in_rate_; }
  int out_rate() const { return out_rate_; }

 private:
  Resampler(int in_rate, int out_rate, void* state);
  int in_rate_;
  int out_rate_;
  void* state_;  // SpeexResamplerState*, null when the rates are equal
};

// One-shot conversion of a whole clip (file loading; allocates). Returns the converted samples.
Result<std::vector<std::int16_t>> resample_clip(std::span<const std::int16_t> in, int in_rate, int out_rate,
                                                int quality = 5);

}  // namespace confpro::media
