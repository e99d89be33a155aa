// Opus with libopus: 48 kHz mono (or 8/12/16/24 kHz PCM on request: a room mixing at 16 kHz can skip both
// resamplers; the RTP clock stays 48000 whatever the PCM rate), VOIP application. Encoders send in-band FEC; decoders use the FEC in the next
// packet to rebuild a lost one (when the jitter buffer has it at hand) and libopus PLC otherwise.
// Thread safety: instances belong to one worker thread; no allocation after construction.
#pragma once

#include <memory>

#include "media/codec.h"

namespace confpro::media {

struct OpusEncoderOptions {
  int complexity = 5;             // 0..10; cost vs quality, see bench/codec_bench [5]
  int bitrate = 32000;            // bit/s; 0 = libopus' automatic choice [32000]
  bool inband_fec = true;         // LBRR data for the receiver's FEC [true]
  int expected_loss_percent = 5;  // tunes FEC strength [5]
  bool dtx = false;               // discontinuous transmission in silence [false]
  int sample_rate = 48000;        // PCM rate given to encode(): 8000/12000/16000/24000/48000 [48000]
};

std::unique_ptr<Encoder> make_opus_encoder(const OpusEncoderOptions& options = {});
// use_fec: decode the next packet's FEC when conceal() is given one (CodecSpec::opus_fec).
// sample_rate: PCM rate decode()/conceal() produce, 8000/12000/16000/24000/48000 (others mean 48000).
std::unique_ptr<Decoder> make_opus_decoder(bool use_fec = true, int sample_rate = 48000);

}  // namespace confpro::media
