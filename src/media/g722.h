// G.722 at 64 kbit/s with spandsp: 16 kHz PCM, 8 bits per 8 kHz "sample" (RTP clock 8000 per RFC 3551, so
// 160 bytes and 320 PCM samples per 20 ms). Decoders conceal with codec_plc.h's PLC at 16 kHz.
// Thread safety: instances belong to one worker thread.
#pragma once

#include <memory>

#include "media/codec.h"

namespace confpro::media {

std::unique_ptr<Encoder> make_g722_encoder();
std::unique_ptr<Decoder> make_g722_decoder();

}  // namespace confpro::media
