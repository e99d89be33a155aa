// G.711 µ-law (PCMU) and A-law (PCMA): table-driven sample conversion and the codec classes behind codec.h.
// Thread safety: the conversion functions are pure (tables built once, thread-safe static init); codec
// instances belong to one worker thread.
#pragma once

#include <cstdint>
#include <memory>

#include "media/codec.h"

namespace confpro::media {

std::uint8_t linear_to_ulaw(std::int16_t sample);
std::int16_t ulaw_to_linear(std::uint8_t code);
std::uint8_t linear_to_alaw(std::int16_t sample);
std::int16_t alaw_to_linear(std::uint8_t code);

// kind must be kPcmu or kPcma. Decoders conceal with the pitch-repeating PLC of codec_plc.h.
std::unique_ptr<Encoder> make_g711_encoder(CodecKind kind);
std::unique_ptr<Decoder> make_g711_decoder(CodecKind kind);

}  // namespace confpro::media
