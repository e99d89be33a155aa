// Audio codecs behind one interface (implementations wrap Debian's libraries: G.711 table code, spandsp G.722,
// libopus). A codec works on 16-bit mono PCM at its own native rate (PCMU/PCMA 8000, G722 16000, opus 48000);
// resampling to the room's mix rate is the Resampler's job (media/resampler.h).
// Thread safety: an Encoder/Decoder instance belongs to one worker thread; no allocation per frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "media/media_engine.h"

namespace confpro::media {

int native_rate(CodecKind kind);  // PCM sample rate the codec works at

class Encoder {
 public:
  virtual ~Encoder() = default;
  // Encodes one frame of `pcm` (native rate, mono; 10–60 ms) into `out`; returns bytes written, or -1.
  virtual int encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) = 0;
  virtual CodecKind kind() const = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Decodes one payload into `pcm` (native rate); returns samples written, or -1 on a bad payload.
  virtual int decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> pcm) = 0;
  // Produces `samples` of concealment for a lost packet (codec PLC, or the FEC of `next_payload` when the codec
  // carries it and it is given); returns samples written.
  virtual int conceal(std::span<std::int16_t> pcm, std::size_t samples,
                      std::span<const std::uint8_t> next_payload = {}) = 0;
  virtual CodecKind kind() const = 0;
};

std::unique_ptr<Encoder> make_encoder(const CodecSpec& spec);
std::unique_ptr<Decoder> make_decoder(const CodecSpec& spec);

}  // namespace confpro::media
