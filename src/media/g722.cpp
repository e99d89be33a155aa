#include "media/g722.h"

#include <spandsp.h>

#include "media/codec_plc.h"

#include <algorithm>

namespace confpro::media {
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

class G722Decoder final : public Decoder {
 public:
  G722Decoder() : s_(g722_decode_init(nullptr, 64000, 0)) {}
  ~G722Decoder() override { g722_decode_free(s_); }
  G722Decoder(const G722Decoder&) = delete;
  G722Decoder& operator=(const G722Decoder&) = delete;

  int decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> pcm) override {
    if (pcm.size() < payload.size() * 2) return -1;
    int n = g722_decode(s_, pcm.data(), payload.data(), static_cast<int>(payload.size()));
    if (n > 0) plc_.on_good(pcm.first(static_cast<std::size_t>(n)));
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
  Plc plc_{16000};
};

}  // namespace

std::unique_ptr<Encoder> make_g722_encoder() { return std::make_unique<G722Encoder>(); }
std::unique_ptr<Decoder> make_g722_decoder() { return std::make_unique<G722Decoder>(); }

}  // namespace confpro::media
