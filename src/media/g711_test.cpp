#include "media/g711.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace confpro::media {
namespace {

TEST(G711, UlawKnownTableValues) {
  EXPECT_EQ(linear_to_ulaw(0), 0xFF);
  EXPECT_EQ(linear_to_ulaw(-4), 0x7E);  // 14-bit input: -1 quantises like -4 (as in Sun's reference g711.c)
  EXPECT_EQ(linear_to_ulaw(32767), 0x80);
  EXPECT_EQ(linear_to_ulaw(-32768), 0x00);
  EXPECT_EQ(ulaw_to_linear(0xFF), 0);
  EXPECT_EQ(ulaw_to_linear(0x7F), 0);
  EXPECT_EQ(ulaw_to_linear(0x80), 32124);
  EXPECT_EQ(ulaw_to_linear(0x00), -32124);
  EXPECT_EQ(ulaw_to_linear(0xF0), 120);   // segment 0, step 8
  EXPECT_EQ(ulaw_to_linear(0x70), -120);
  EXPECT_EQ(linear_to_ulaw(1000), 0xCE);
  EXPECT_EQ(ulaw_to_linear(0xCE), 988);
}

TEST(G711, AlawKnownTableValues) {
  EXPECT_EQ(linear_to_alaw(0), 0xD5);
  EXPECT_EQ(linear_to_alaw(-1), 0x55);
  EXPECT_EQ(alaw_to_linear(0xD5), 8);
  EXPECT_EQ(alaw_to_linear(0x55), -8);
  EXPECT_EQ(linear_to_alaw(32767), 0xAA);
  EXPECT_EQ(linear_to_alaw(-32768), 0x2A);
  EXPECT_EQ(alaw_to_linear(0xAA), 32256);
  EXPECT_EQ(alaw_to_linear(0x2A), -32256);
  EXPECT_EQ(linear_to_alaw(1000), 0xFA);
  EXPECT_EQ(alaw_to_linear(0xFA), 1008);
}

TEST(G711, EveryCodeDecodesAndReencodesToItself) {
  for (int c = 0; c < 256; ++c) {
    auto code = static_cast<std::uint8_t>(c);
    if (c != 0x7F) {  // 0x7F (-0) encodes as 0xFF (+0)
      EXPECT_EQ(linear_to_ulaw(ulaw_to_linear(code)), code) << c;
    }
    EXPECT_EQ(linear_to_alaw(alaw_to_linear(code)), code) << c;
  }
}

TEST(G711, QuantisationErrorStaysWithinTheSegmentStep) {
  for (int s = -32768; s <= 32767; s += 7) {
    auto x = static_cast<std::int16_t>(s);
    int err_u = std::abs(ulaw_to_linear(linear_to_ulaw(x)) - s);
    int err_a = std::abs(alaw_to_linear(linear_to_alaw(x)) - s);
    int mag = std::abs(s);
    EXPECT_LE(err_u, std::max(16, mag / 16 + 8)) << s;  // relative error ~ 1/32 of the segment, plus clipping
    EXPECT_LE(err_a, std::max(16, mag / 16 + 8)) << s;
  }
}

}  // namespace
}  // namespace confpro::media
