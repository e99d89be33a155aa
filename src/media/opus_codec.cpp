#include "media/opus_codec.h"

#include <opus.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

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
    state_size_ = static_cast<std::size_t>(opus_decoder_get_size(1));  // the whole decoder is this one block
    snapshot_.assign(state_size_, 0);
    last_pcm_.assign(max_frame_, 0);
  }
  ~OpusDec() override {
    if (dec_ != nullptr) opus_decoder_destroy(dec_);
  }
  OpusDec(const OpusDec&) = delete;
  OpusDec& operator=(const OpusDec&) = delete;

  // A packet that repeats the last one (a phone sending digital silence without DTX: a muted softphone) is decoded
  // with a snapshot of the state around it; once decoding it leaves the state byte for byte unchanged, decoding it
  // again would give the same samples and the same state, so they are copied instead (exact, not an estimate).
  int decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> pcm) override {
    if (dec_ == nullptr || payload.empty()) return -1;
    const int max = static_cast<int>(std::min(pcm.size(), max_frame_));
    const bool repeat = last_n_ > 0 && max == last_max_ && payload.size() == last_len_ &&
                        std::memcmp(payload.data(), last_payload_.data(), last_len_) == 0;
    if (repeat && fixed_) {
      std::memcpy(pcm.data(), last_pcm_.data(), static_cast<std::size_t>(last_n_) * sizeof(std::int16_t));
      return last_n_;
    }
    if (repeat) std::memcpy(snapshot_.data(), dec_, state_size_);
    const int n = opus_decode(dec_, payload.data(), static_cast<opus_int32>(payload.size()), pcm.data(), max, 0);
    if (n <= 0 || payload.size() > last_payload_.size()) {
      forget();
      return n < 0 ? -1 : n;
    }
    fixed_ = repeat && n == last_n_ && std::memcmp(snapshot_.data(), dec_, state_size_) == 0;
    if (!repeat) {
      std::memcpy(last_payload_.data(), payload.data(), payload.size());
      last_len_ = payload.size();
      last_max_ = max;
    }
    std::memcpy(last_pcm_.data(), pcm.data(), static_cast<std::size_t>(n) * sizeof(std::int16_t));
    last_n_ = n;
    return n;
  }

  int conceal(std::span<std::int16_t> pcm, std::size_t samples, std::span<const std::uint8_t> next) override {
    if (dec_ == nullptr) return 0;
    forget();  // the state moves on
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
  void forget() {
    last_n_ = 0;
    fixed_ = false;
  }

  OpusDecoder* dec_ = nullptr;
  bool use_fec_;
  std::size_t max_frame_;  // 120 ms at the decoder's rate
  std::size_t granule_;    // 2.5 ms: libopus decodes multiples of this
  // The repeated-packet shortcut (decode()): the last packet decoded, its samples, and a copy of the state.
  std::size_t state_size_ = 0;
  std::vector<std::uint8_t> snapshot_;
  std::array<std::uint8_t, 256> last_payload_{};
  std::size_t last_len_ = 0;
  int last_max_ = 0;
  std::vector<std::int16_t> last_pcm_;
  int last_n_ = 0;      // samples of last_pcm_, 0 when there is nothing to repeat
  bool fixed_ = false;  // decoding last_payload_ leaves the state unchanged
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
