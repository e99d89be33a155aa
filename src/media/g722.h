// G.722 at 64 kbit/s with spandsp: 16 kHz PCM, 8 bits per 8 kHz "sample" (RTP clock 8000 per RFC 3551, so
// 160 bytes and 320 PCM samples per 20 ms). Decoders conceal with codec_plc.h's PLC at 16 kHz.
// Thread safety: instances belong to one worker thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "media/codec.h"

namespace confpro::media {

// The receive QMF of G.722: joins the decoded low and high sub-band samples (pairs: low << 1, high << 1, as
// spandsp's decoder hands them out in its ITU test mode) into 16 kHz PCM, two samples a pair, with the same
// integer arithmetic as spandsp's decoder — bit for bit (G722.SynthesisMatchesSpandspBitForBit). spandsp makes
// four out-of-line calls per pair for it (a quarter of its decoding time); this one filters a block at a time.
// `pcm` may be `bands` itself. Keeps the last 11 values of its two filters between calls.
class G722Synthesis {
 public:
  void process(std::span<const std::int16_t> bands, std::span<std::int16_t> pcm);

 private:
  static constexpr std::size_t kHistory = 11, kChunk = 160;
  std::array<std::int16_t, kHistory + kChunk> x_{}, y_{};
};

std::unique_ptr<Encoder> make_g722_encoder();
std::unique_ptr<Decoder> make_g722_decoder();

}  // namespace confpro::media
