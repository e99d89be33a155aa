// Audio codecs behind one interface (implementations wrap Debian's libraries: G.711 table code, spandsp G.722,
// libopus). A codec works on 16-bit mono PCM at its own native rate (PCMU/PCMA 8000, G722 16000, opus 48000);
// resampling to the room's mix rate is the Resampler's job (media/resampler.h).
// Thread safety: an Encoder/Decoder instance belongs to one worker thread; no allocation per frame.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

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

// Whether an encoder's frame of digital silence may be sent again instead of encoding the next one: once two
// silent frames in a row came out byte for byte the same (G.711 at once; Opus once its look-ahead and decay are
// spent; G.722's never repeat), the last payload serves every further silent tick. The encoder then misses those
// silent frames, and its state stays that of silence. One per encoder; copies at most `capacity` bytes a frame.
class SilentFrameReuse {
 public:
  explicit SilentFrameReuse(std::size_t capacity = 0) : previous_(capacity) {}
  // True when this tick (silent or not) may send the last payload again.
  bool reuse(bool silent) const { return silent && settled_; }
  // After each encode: the payload that came out, and whether its input was digital silence.
  void encoded(std::span<const std::uint8_t> payload, bool silent) {
    const bool fits = payload.size() <= previous_.size();
    settled_ = fits && silent && previous_silent_ && payload.size() == len_ &&
               std::equal(payload.begin(), payload.end(), previous_.begin());
    previous_silent_ = fits && silent;
    len_ = fits ? payload.size() : 0;
    if (fits) std::copy(payload.begin(), payload.end(), previous_.begin());
  }
  void reset() { settled_ = previous_silent_ = false; }

 private:
  std::vector<std::uint8_t> previous_;
  std::size_t len_ = 0;
  bool previous_silent_ = false, settled_ = false;
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
