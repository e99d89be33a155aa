#include "media/opus_codec.h"

#include <opus.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace confpro::media {
namespace {

constexpr std::size_t kMaxFrame = 5760;  // 120 ms at 48 kHz: the most libopus returns at any rate

int valid_rate(int r) { return (r == 8000 || r == 12000 || r == 16000 || r == 24000) ? r : 48000; }

class OpusEnc final : public Encoder {
 public:
  explicit OpusEnc(const OpusEncoderOptions& o) {
    int err = 0;
    enc_ = opus_encoder_create(valid_rate(o.sample_rate), 1, OPUS_APPLICATION_VOIP, &err);
    if (enc_ == nullptr) return;
    opus_encoder_ctl(enc_, OPUS_SET_COMPLEXITY(std::clamp(o.complexity, 0, 10)));
    opus_encoder_ctl(enc_, OPUS_SET_BITRATE(o.bitrate > 0 ? o.bitrate : OPUS_AUTO));
    opus_encoder_ctl(enc_, OPUS_SET_INBAND_FEC(o.inband_fec ? 1 : 0));
    opus_encoder_ctl(enc_, OPUS_SET_PACKET_LOSS_PERC(std::clamp(o.expected_loss_percent, 0, 100)));
    opus_encoder_ctl(enc_, OPUS_SET_DTX(o.dtx ? 1 : 0));
    opus_encoder_ctl(enc_, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  }
  ~OpusEnc() override {
    if (enc_ != nullptr) opus_encoder_destroy(enc_);
  }
  OpusEnc(const OpusEnc&) = delete;
  OpusEnc& operator=(const OpusEnc&) = delete;

  int encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) override {
    if (enc_ == nullptr) return -1;
    int n = opus_encode(enc_, pcm.data(), static_cast<int>(pcm.size()), out.data(),
                        static_cast<opus_int32>(std::min<std::size_t>(out.size(), 4000)));
    return n < 0 ? -1 : n;
  }
  CodecKind kind() const override { return CodecKind::kOpus; }

 private:
  OpusEncoder* enc_ = nullptr;
};

class OpusDec final : public Decoder {
 public:
  OpusDec(bool use_fec, int rate)
      : use_fec_(use_fec),
        max_frame_(static_cast<std::size_t>(valid_rate(rate) * 120 / 1000)),
        granule_(static_cast<std::size_t>(valid_rate(rate) / 400)) {
    int err = 0;
    dec_ = opus_decoder_create(valid_rate(rate), 1, &err);
  }
  ~OpusDec() override {
    if (dec_ != nullptr) opus_decoder_destroy(dec_);
  }
  OpusDec(const OpusDec&) = delete;
  OpusDec& operator=(const OpusDec&) = delete;

  int decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> pcm) override {
    if (dec_ == nullptr || payload.empty()) return -1;
    int n = opus_decode(dec_, payload.data(), static_cast<opus_int32>(payload.size()), pcm.data(),
                        static_cast<int>(std::min(pcm.size(), max_frame_)), 0);
    return n < 0 ? -1 : n;
  }

  int conceal(std::span<std::int16_t> pcm, std::size_t samples, std::span<const std::uint8_t> next) override {
    if (dec_ == nullptr) return 0;
    samples = std::min({samples, pcm.size(), max_frame_});
    std::size_t rounded = (samples + granule_ - 1) / granule_ * granule_;
    std::int16_t* dst = rounded == samples ? pcm.data() : scratch_.data();
    int n;
    if (use_fec_ && !next.empty()) {
      n = opus_decode(dec_, next.data(), static_cast<opus_int32>(next.size()), dst, static_cast<int>(rounded), 1);
    } else {
      n = opus_decode(dec_, nullptr, 0, dst, static_cast<int>(rounded), 0);
    }
    if (n < 0) {
      std::fill_n(pcm.begin(), samples, std::int16_t{0});
    } else if (dst != pcm.data()) {
      std::memcpy(pcm.data(), dst, samples * sizeof(std::int16_t));
    }
    return static_cast<int>(samples);
  }
  CodecKind kind() const override { return CodecKind::kOpus; }

 private:
  OpusDecoder* dec_ = nullptr;
  bool use_fec_;
  std::size_t max_frame_;  // 120 ms at the decoder's rate
  std::size_t granule_;    // 2.5 ms: libopus decodes multiples of this
  std::array<std::int16_t, kMaxFrame> scratch_{};
};

}  // namespace

std::unique_ptr<Encoder> make_opus_encoder(const OpusEncoderOptions& options) {
  return std::make_unique<OpusEnc>(options);
}
std::unique_ptr<Decoder> make_opus_decoder(bool use_fec, int sample_rate) {
  return std::make_unique<OpusDec>(use_fec, sample_rate);
}

}  // namespace confpro::media
