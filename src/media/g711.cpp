// G.711 (ITU-T G.711): tables derived from the reference segment algorithm (as in Sun's public g711.c).
#include "media/g711.h"

#include "media/codec_plc.h"

#include <algorithm>
#include <array>
#include <cstddef>

namespace confpro::media {
namespace {

constexpr int kUlawBias = 0x84;
constexpr int kUlawClip = 32635;

std::uint8_t ulaw_encode_slow(int pcm) {
  int sign = (pcm >> 8) & 0x80;
  if (sign) pcm = -pcm;
  pcm = std::min(pcm, kUlawClip);
  pcm += kUlawBias;
  int exponent = 7;
  for (int mask = 0x4000; (pcm & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  int mantissa = (pcm >> (exponent + 3)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa));
}

std::int16_t ulaw_decode_slow(std::uint8_t code) {
  int u = ~code & 0xFF;
  int t = ((u & 0x0F) << 3) + kUlawBias;
  t <<= (u & 0x70) >> 4;
  return static_cast<std::int16_t>((u & 0x80) ? (kUlawBias - t) : (t - kUlawBias));
}

std::uint8_t alaw_encode_slow(int pcm) {
  int mask;
  if (pcm >= 0) {
    mask = 0xD5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  pcm >>= 3;  // 13-bit magnitude
  int seg = 0;
  for (int end = 0x1F; seg < 8 && pcm > end; end = (end << 1) | 1) ++seg;
  if (seg >= 8) return static_cast<std::uint8_t>(0x7F ^ mask);
  int aval = seg << 4;
  aval |= (seg < 2) ? ((pcm >> 1) & 0x0F) : ((pcm >> seg) & 0x0F);
  return static_cast<std::uint8_t>(aval ^ mask);
}

std::int16_t alaw_decode_slow(std::uint8_t code) {
  int a = code ^ 0x55;
  int t = (a & 0x0F) << 4;
  int seg = (a & 0x70) >> 4;
  switch (seg) {
    case 0: t += 8; break;
    case 1: t += 0x108; break;
    default: t += 0x108; t <<= seg - 1;
  }
  return static_cast<std::int16_t>((a & 0x80) ? t : -t);
}

struct Tables {
  std::array<std::int16_t, 256> ulaw_dec{}, alaw_dec{};
  std::array<std::uint8_t, 16384> ulaw_enc{};  // indexed by (sample >> 2) + 8192
  std::array<std::uint8_t, 8192> alaw_enc{};   // indexed by (sample >> 3) + 4096
  Tables() {
    for (int i = 0; i < 256; ++i) {
      ulaw_dec[static_cast<std::size_t>(i)] = ulaw_decode_slow(static_cast<std::uint8_t>(i));
      alaw_dec[static_cast<std::size_t>(i)] = alaw_decode_slow(static_cast<std::uint8_t>(i));
    }
    for (int i = 0; i < 16384; ++i) ulaw_enc[static_cast<std::size_t>(i)] = ulaw_encode_slow((i - 8192) * 4);
    for (int i = 0; i < 8192; ++i) alaw_enc[static_cast<std::size_t>(i)] = alaw_encode_slow((i - 4096) * 8);
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

class G711Encoder final : public Encoder {
 public:
  explicit G711Encoder(CodecKind kind) : kind_(kind), t_(tables()) {}
  int encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) override {
    if (out.size() < pcm.size()) return -1;
    if (kind_ == CodecKind::kPcmu) {
      for (std::size_t i = 0; i < pcm.size(); ++i) out[i] = t_.ulaw_enc[static_cast<std::size_t>((pcm[i] >> 2) + 8192)];
    } else {
      for (std::size_t i = 0; i < pcm.size(); ++i) out[i] = t_.alaw_enc[static_cast<std::size_t>((pcm[i] >> 3) + 4096)];
    }
    return static_cast<int>(pcm.size());
  }
  CodecKind kind() const override { return kind_; }

 private:
  CodecKind kind_;
  const Tables& t_;
};

class G711Decoder final : public Decoder {
 public:
  explicit G711Decoder(CodecKind kind) : kind_(kind), t_(tables()) {}
  G711Decoder(const G711Decoder&) = delete;
  G711Decoder& operator=(const G711Decoder&) = delete;

  int decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> pcm) override {
    if (pcm.size() < payload.size()) return -1;
    const auto& table = kind_ == CodecKind::kPcmu ? t_.ulaw_dec : t_.alaw_dec;
    for (std::size_t i = 0; i < payload.size(); ++i) pcm[i] = table[payload[i]];
    plc_.on_good(pcm.first(payload.size()));
    return static_cast<int>(payload.size());
  }
  int conceal(std::span<std::int16_t> pcm, std::size_t samples, std::span<const std::uint8_t>) override {
    samples = std::min(samples, pcm.size());
    plc_.fill(pcm.first(samples));
    return static_cast<int>(samples);
  }
  CodecKind kind() const override { return kind_; }

 private:
  CodecKind kind_;
  const Tables& t_;
  Plc plc_{8000};
};

}  // namespace

std::uint8_t linear_to_ulaw(std::int16_t s) { return tables().ulaw_enc[static_cast<std::size_t>((s >> 2) + 8192)]; }
std::int16_t ulaw_to_linear(std::uint8_t c) { return tables().ulaw_dec[c]; }
std::uint8_t linear_to_alaw(std::int16_t s) { return tables().alaw_enc[static_cast<std::size_t>((s >> 3) + 4096)]; }
std::int16_t alaw_to_linear(std::uint8_t c) { return tables().alaw_dec[c]; }

std::unique_ptr<Encoder> make_g711_encoder(CodecKind kind) { return std::make_unique<G711Encoder>(kind); }
std::unique_ptr<Decoder> make_g711_decoder(CodecKind kind) { return std::make_unique<G711Decoder>(kind); }

}  // namespace confpro::media
