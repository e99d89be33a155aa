// A speech-like test signal for the micro-benchmarks: a few harmonics of 140 Hz with a syllable-rate (4 Hz)
// envelope, plus a little noise; deterministic (fixed seed). Header-only; no shared state.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

namespace confpro::bench {

inline std::vector<std::int16_t> speechlike(int rate, int seconds = 1) {
  std::vector<std::int16_t> v(static_cast<std::size_t>(rate) * static_cast<std::size_t>(seconds));
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 150);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    const double env = 0.5 + 0.5 * std::sin(2 * std::numbers::pi * 4 * t);
    double s = 0;
    for (double f : {140.0, 280.0, 560.0, 1120.0, 2240.0}) s += std::sin(2 * std::numbers::pi * f * t) * 3000 / (f / 140.0);
    v[i] = static_cast<std::int16_t>(std::clamp(env * s + noise(rng), -32768.0, 32767.0));
  }
  return v;
}

}  // namespace confpro::bench
