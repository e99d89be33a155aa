#include "media/tone.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace confpro::media {
namespace {

std::int16_t saturate(double v) { return static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L)); }

struct DtmfPair {
  double low, high;
};

bool dtmf_pair(char digit, DtmfPair& out) {
  static constexpr char kKeys[4][4] = {{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'},
                                       {'*', '0', '#', 'D'}};
  static constexpr double kRows[4] = {697, 770, 852, 941};
  static constexpr double kCols[4] = {1209, 1336, 1477, 1633};
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) {
      if (kKeys[r][c] == digit) {
        out = {kRows[r], kCols[c]};
        return true;
      }
    }
  }
  return false;
}

}  // namespace

ToneGenerator::ToneGenerator(double freq_hz, double amplitude, int sample_rate)
    : step_(2 * std::numbers::pi * freq_hz / sample_rate), amplitude_(amplitude) {}

void ToneGenerator::fill(std::span<std::int16_t> out) {
  for (auto& s : out) {
    s = saturate(amplitude_ * std::sin(phase_));
    phase_ = std::fmod(phase_ + step_, 2 * std::numbers::pi);
  }
}

void ToneGenerator::add(std::span<std::int16_t> out) {
  for (auto& s : out) {
    s = saturate(s + amplitude_ * std::sin(phase_));
    phase_ = std::fmod(phase_ + step_, 2 * std::numbers::pi);
  }
}

std::vector<std::int16_t> make_tone(double freq_hz, double amplitude, int sample_rate, double seconds) {
  std::vector<std::int16_t> v(static_cast<std::size_t>(seconds * sample_rate));
  ToneGenerator(freq_hz, amplitude, sample_rate).fill(v);
  return v;
}

double goertzel_power(std::span<const std::int16_t> pcm, double freq_hz, int sample_rate) {
  if (pcm.empty()) return 0;
  const double w = 2 * std::numbers::pi * freq_hz / sample_rate;
  const double coeff = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (auto x : pcm) {
    double s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;  // |X(f)|^2
  const double n = static_cast<double>(pcm.size());
  return 2 * power / (n * n);
}

double total_power(std::span<const std::int16_t> pcm) {
  if (pcm.empty()) return 0;
  double sum = 0;
  for (auto x : pcm) sum += static_cast<double>(x) * x;
  return sum / static_cast<double>(pcm.size());
}

double tone_fraction(std::span<const std::int16_t> pcm, double freq_hz, int sample_rate) {
  double total = total_power(pcm);
  if (total <= 0) return 0;
  return std::min(1.0, goertzel_power(pcm, freq_hz, sample_rate) / total);
}

bool tone_present(std::span<const std::int16_t> pcm, double freq_hz, int sample_rate, double min_fraction) {
  return tone_fraction(pcm, freq_hz, sample_rate) >= min_fraction;
}

std::vector<std::int16_t> make_dtmf(char digit, int sample_rate, int tone_ms, int gap_ms, double amplitude) {
  std::vector<std::int16_t> v(static_cast<std::size_t>((tone_ms + gap_ms) * sample_rate / 1000), 0);
  DtmfPair p{};
  if (!dtmf_pair(digit, p)) return v;
  std::span<std::int16_t> tone(v.data(), static_cast<std::size_t>(tone_ms * sample_rate / 1000));
  ToneGenerator(p.low, amplitude, sample_rate).add(tone);
  ToneGenerator(p.high, amplitude, sample_rate).add(tone);
  return v;
}

double snr_db(std::span<const std::int16_t> want, std::span<const std::int16_t> got, int max_lag) {
  double best = -1e9;
  for (int lag = -max_lag; lag <= max_lag; ++lag) {
    // got[i + lag] ~ g * want[i]
    double ww = 0, wg = 0, gg = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      auto j = static_cast<std::ptrdiff_t>(i) + lag;
      if (j < 0 || j >= static_cast<std::ptrdiff_t>(got.size())) continue;
      double w = want[i], g = got[static_cast<std::size_t>(j)];
      ww += w * w;
      wg += w * g;
      gg += g * g;
    }
    if (ww <= 0 || gg <= 0) continue;
    // Best gain a = wg/ww; error energy = gg - wg^2/ww; signal energy = a^2 ww = wg^2/ww.
    double signal = wg * wg / ww;
    double noise = std::max(gg - signal, 1e-9);
    best = std::max(best, 10 * std::log10(signal / noise));
  }
  return best;
}

}  // namespace confpro::media
