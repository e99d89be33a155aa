// Packet loss concealment for codecs without their own (G.711, G.722): pitch-period repetition in the manner
// of ITU-T G.711 Appendix I. On a loss the last pitch period of good audio (found by AMDF over 20 ms) is
// repeated; after 10 ms it fades linearly to silence over 50 ms; the first good frame after a loss is
// cross-faded with the continued synthetic signal so the joint does not click.
// (spandsp's plc_* was used first; its history shift does an overlapping memcpy, which AddressSanitizer rejects.)
// Thread safety: one instance per decoder; no allocation after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace confpro::media {

class Plc {
 public:
  explicit Plc(int sample_rate);

  // Call with every decoded frame, in order; may rewrite its first few ms after a loss (cross-fade).
  void on_good(std::span<std::int16_t> pcm);
  // Writes out.size() samples of concealment continuing the last good audio.
  void fill(std::span<std::int16_t> out);

 private:
  int find_pitch() const;
  float next_synthetic();

  int min_period_, max_period_, corr_span_, fade_start_, fade_len_, ola_len_;
  std::vector<std::int16_t> history_;  // the last corr_span + max_period good samples, oldest first
  std::vector<float> period_;          // one pitch period to repeat
  int pitch_ = 0, offset_ = 0;
  std::int64_t missing_ = 0;           // consecutive concealed samples
};

}  // namespace confpro::media
