// Test tones and their detection (used by every media test): sine and DTMF generators, Goertzel power.
// Thread safety: pure functions and small value types.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace confpro::media {

// Phase-continuous sine generator: successive fill() calls join without a click.
class ToneGenerator {
 public:
  // amplitude: peak, in sample units (e.g. 8000 ~ -12 dBov).
  ToneGenerator(double freq_hz, double amplitude, int sample_rate);
  void fill(std::span<std::int16_t> out);  // overwrites
  void add(std::span<std::int16_t> out);   // adds, saturating

 private:
  double step_, amplitude_, phase_ = 0;
};

// `seconds` of a sine (a convenience over ToneGenerator).
std::vector<std::int16_t> make_tone(double freq_hz, double amplitude, int sample_rate, double seconds);

// Goertzel power of `freq_hz` in `pcm`, normalised like total_power(): a sine of amplitude A at exactly
// `freq_hz` gives about A^2/2 (its mean square), a signal without that frequency about 0.
double goertzel_power(std::span<const std::int16_t> pcm, double freq_hz, int sample_rate);
double total_power(std::span<const std::int16_t> pcm);  // mean square, same normalisation as goertzel_power

// Share of `pcm`'s energy that lies at `freq_hz` (0..1, ~1 for a pure tone, ~0 when absent).
double tone_fraction(std::span<const std::int16_t> pcm, double freq_hz, int sample_rate);
// True when `freq_hz` carries at least `min_fraction` of the energy of `pcm`.
bool tone_present(std::span<const std::int16_t> pcm, double freq_hz, int sample_rate, double min_fraction = 0.5);

// PCM of one DTMF digit ('0'-'9', '*', '#', 'A'-'D'): both tones at `amplitude` each for `tone_ms`, then
// `gap_ms` of silence. An unknown digit gives silence.
std::vector<std::int16_t> make_dtmf(char digit, int sample_rate, int tone_ms = 80, int gap_ms = 80,
                                    double amplitude = 6000);

// Signal-to-noise ratio of `got` against `want`, in dB, after finding the best alignment within +-max_lag samples
// (codecs and resamplers delay the signal).
double snr_db(std::span<const std::int16_t> want, std::span<const std::int16_t> got, int max_lag = 200);

}  // namespace confpro::media
