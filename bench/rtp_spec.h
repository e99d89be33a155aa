// The RTP side of a codec as the benchmarks send it: static payload types (RFC 3551: PCMU 0, PCMA 8, G722 9) and
// a dynamic 111 for Opus; RTP clock 8000, or 48000 for Opus. Header-only.
#pragma once

#include "media/media_engine.h"

namespace confpro::bench {

inline media::CodecSpec rtp_spec_for(media::CodecKind kind) {
  using media::CodecKind;
  media::CodecSpec s;
  s.kind = kind;
  s.payload_type = kind == CodecKind::kPcmu ? 0 : kind == CodecKind::kPcma ? 8 : kind == CodecKind::kG722 ? 9 : 111;
  s.clock_rate = kind == CodecKind::kOpus ? 48000 : 8000;
  return s;
}

}  // namespace confpro::bench
