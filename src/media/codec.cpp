// Codec factory and per-kind facts (codec.h).
#include "media/codec.h"

#include "media/g711.h"
#include "media/g722.h"
#include "media/opus_codec.h"

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

std::unique_ptr<Encoder> make_encoder(const CodecSpec& spec) {
  switch (spec.kind) {
    case CodecKind::kPcmu:
    case CodecKind::kPcma: return make_g711_encoder(spec.kind);
    case CodecKind::kG722: return make_g722_encoder();
    case CodecKind::kOpus: return make_opus_encoder();
  }
  return nullptr;
}

std::unique_ptr<Decoder> make_decoder(const CodecSpec& spec) {
  switch (spec.kind) {
    case CodecKind::kPcmu:
    case CodecKind::kPcma: return make_g711_decoder(spec.kind);
    case CodecKind::kG722: return make_g722_decoder();
    case CodecKind::kOpus: return make_opus_decoder(spec.opus_fec);
  }
  return nullptr;
}

}  // namespace confpro::media
