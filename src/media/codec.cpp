// Codec factory and per-kind facts (codec.h).
#include "media/codec.h"

namespace confpro::media {

const char* to_string(CodecKind c) {
  switch (c) {
    case CodecKind::kPcmu: return "PCMU";
    case CodecKind::kPcma: return "PCMA";
    case CodecKind::kG722: return "G722";
    case CodecKind::kOpus: return "opus";
  }
  return "?";
}

int native_rate(CodecKind kind) {
  switch (kind) {
    case CodecKind::kPcmu:
    case CodecKind::kPcma: return 8000;
    case CodecKind::kG722: return 16000;
    case CodecKind::kOpus: return 48000;
  }
  return 8000;
}

std::unique_ptr<Encoder> make_encoder(const CodecSpec&) { return nullptr; }
std::unique_ptr<Decoder> make_decoder(const CodecSpec&) { return nullptr; }

}  // namespace confpro::media
