// G.722: our decoder (spandsp's sub-band ADPCM + G722Synthesis) against spandsp's decoder with its own QMF.
#include "media/g722.h"

#include <gtest/gtest.h>
#include <spandsp.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

namespace confpro::media {
namespace {

// Bitstreams of every kind a caller may send — a tone with a high band, loud noise, digital silence, speech-like
// sums, and garbage bytes (a corrupt or hostile packet) — in packets of 10 to 60 ms: every output sample of our
// decoder equals spandsp's own.
TEST(G722, SynthesisMatchesSpandspBitForBit) {
  g722_encode_state_t* enc = g722_encode_init(nullptr, 64000, 0);
  g722_decode_state_t* reference = g722_decode_init(nullptr, 64000, 0);
  auto ours = make_g722_decoder();
  std::mt19937 rng(7);
  std::vector<std::int16_t> pcm(960), want(960), got(960);
  std::vector<std::uint8_t> bytes(480);
  std::size_t compared = 0;
  for (int f = 0; f < 3000; ++f) {
    const std::size_t samples = static_cast<std::size_t>(160 * (1 + f % 6));  // 10..60 ms at 16 kHz
    const int kind = (f / 100) % 5;
    for (std::size_t i = 0; i < samples; ++i) {
      const double t = static_cast<double>(f * 960 + static_cast<int>(i)) / 16000.0;
      double v = 0;
      if (kind == 0) v = 12000 * std::sin(2 * std::numbers::pi * 440 * t) + 6000 * std::sin(2 * std::numbers::pi * 5500 * t);
      if (kind == 1) v = static_cast<double>(static_cast<std::int16_t>(rng()));
      if (kind == 3) v = 20000 * std::sin(2 * std::numbers::pi * 3000 * t) + static_cast<double>(rng() % 2000) - 1000;
      pcm[i] = static_cast<std::int16_t>(std::clamp(v, -32768.0, 32767.0));
    }
    const int n = g722_encode(enc, bytes.data(), pcm.data(), static_cast<int>(samples));
    ASSERT_EQ(n, static_cast<int>(samples / 2));
    if (kind == 4 || f % 7 == 3)
      for (int i = 0; i < n; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(rng());
    const int w = g722_decode(reference, want.data(), bytes.data(), n);
    const int g = ours->decode({bytes.data(), static_cast<std::size_t>(n)}, got);
    ASSERT_EQ(g, w);
    for (int i = 0; i < w; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)], want[static_cast<std::size_t>(i)]) << "frame " << f << " sample " << i;
    compared += static_cast<std::size_t>(w);
  }
  EXPECT_GT(compared, 3000u * 160);
  g722_encode_free(enc);
  g722_decode_free(reference);
}

}  // namespace
}  // namespace confpro::media
