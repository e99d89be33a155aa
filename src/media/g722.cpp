#include "media/g722.h"

#include <spandsp.h>
#include <spandsp/private/g722.h>  // g722_decode_state_t::itu_test_mode (see G722Decoder)

#include "media/codec_plc.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace confpro::media {

namespace {
// G.722's receive QMF (ITU-T G.722 table 11 coefficients, oldest sample first).
// 16-bit, like the samples: a 16 x 16 -> 32 bit product vectorises (pmullw/pmulhw) where 32 x 32 would not.
constexpr std::array<std::int16_t, 12> kQmfFwd = {3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11};
constexpr std::array<std::int16_t, 12> kQmfRev = {-11, 53, -156, 362, -805, 3876, 951, -210, 32, 12, -11, 3};
}  // namespace

void G722Synthesis::process(std::span<const std::int16_t> bands, std::span<std::int16_t> pcm) {
  const std::size_t pairs = std::min(bands.size(), pcm.size()) / 2;
  for (std::size_t done = 0; done < pairs;) {
    const std::size_t m = std::min(kChunk, pairs - done);
    // x = rlow + rhigh, y = rlow - rhigh after the last 11 of each (the bands come shifted left by one, in
    // [-32768, 32766]: both fit 16 bits).
    for (std::size_t k = 0; k < m; ++k) {
      const std::int32_t low = bands[2 * (done + k)] >> 1, high = bands[2 * (done + k) + 1] >> 1;
      x_[kHistory + k] = static_cast<std::int16_t>(low + high);
      y_[kHistory + k] = static_cast<std::int16_t>(low - high);
    }
    // Tap by tap over the whole chunk: the inner loops vectorise. |sum| <= 6482 * 32768 fits 32 bits.
    std::array<std::int32_t, kChunk> even{}, odd{};
    for (std::size_t i = 0; i < kQmfFwd.size(); ++i) {
      const std::int16_t ce = kQmfRev[i], co = kQmfFwd[i];
      for (std::size_t k = 0; k < m; ++k) even[k] += std::int32_t{ce} * y_[k + i];
      for (std::size_t k = 0; k < m; ++k) odd[k] += std::int32_t{co} * x_[k + i];
    }
    for (std::size_t k = 0; k < m; ++k) {
      pcm[2 * (done + k)] = static_cast<std::int16_t>(even[k] >> 11);  // wraps like the reference, never saturates
      pcm[2 * (done + k) + 1] = static_cast<std::int16_t>(odd[k] >> 11);
    }
    std::memmove(x_.data(), x_.data() + m, kHistory * sizeof(std::int16_t));
    std::memmove(y_.data(), y_.data() + m, kHistory * sizeof(std::int16_t));
    done += m;
  }
}

namespace {

class G722Encoder final : public Encoder {
 public:
  G722Encoder() : s_(g722_encode_init(nullptr, 64000, 0)) {}
  ~G722Encoder() override { g722_encode_free(s_); }
  G722Encoder(const G722Encoder&) = delete;
  G722Encoder& operator=(const G722Encoder&) = delete;

  int encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) override {
    if (out.size() < pcm.size() / 2) return -1;
    return g722_encode(s_, out.data(), pcm.data(), static_cast<int>(pcm.size()));
  }
  CodecKind kind() const override { return CodecKind::kG722; }

 private:
  g722_encode_state_t* s_;
};

// spandsp decodes the two sub-bands (ADPCM); the QMF that joins them is G722Synthesis, bit for bit the same as
// spandsp's own (g722.h). spandsp's "ITU test mode" is the switch: it hands out the two bands instead of the
// filtered signal.
class G722Decoder final : public Decoder {
 public:
  G722Decoder() : s_(g722_decode_init(nullptr, 64000, 0)) { s_->itu_test_mode = 1; }
  ~G722Decoder() override { g722_decode_free(s_); }
  G722Decoder(const G722Decoder&) = delete;
  G722Decoder& operator=(const G722Decoder&) = delete;

  int decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> pcm) override {
    if (pcm.size() < payload.size() * 2) return -1;
    // Decoded into `pcm` as band pairs, then filtered in place (G722Synthesis reads a pair before writing it).
    const int n = g722_decode(s_, pcm.data(), payload.data(), static_cast<int>(payload.size()));
    if (n <= 0) return n;
    const auto out = pcm.first(static_cast<std::size_t>(n));
    qmf_.process(out, out);
    plc_.on_good(out);
    return n;
  }
  int conceal(std::span<std::int16_t> pcm, std::size_t samples, std::span<const std::uint8_t>) override {
    samples = std::min(samples, pcm.size());
    plc_.fill(pcm.first(samples));
    return static_cast<int>(samples);
  }
  CodecKind kind() const override { return CodecKind::kG722; }

 private:
  g722_decode_state_t* s_;
  G722Synthesis qmf_;
  Plc plc_{16000};
};

}  // namespace

std::unique_ptr<Encoder> make_g722_encoder() { return std::make_unique<G722Encoder>(); }
std::unique_ptr<Decoder> make_g722_decoder() { return std::make_unique<G722Decoder>(); }

}  // namespace confpro::media
