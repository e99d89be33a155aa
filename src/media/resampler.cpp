#include "media/resampler.h"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <cstring>

namespace confpro::media {
namespace {

SpeexResamplerState* st(void* p) { return static_cast<SpeexResamplerState*>(p); }
bool valid_rate(int r) { return r >= 8000 && r <= 48000; }

}  // namespace

Result<std::unique_ptr<Resampler>> Resampler::create(const ResamplerOptions& o) {
  if (!valid_rate(o.in_rate)) return Error::invalid("in_rate", "must be 8000..48000");
  if (!valid_rate(o.out_rate)) return Error::invalid("out_rate", "must be 8000..48000");
  if (o.quality < 0 || o.quality > 10) return Error::invalid("quality", "must be 0..10");
  void* state = nullptr;
  if (o.in_rate != o.out_rate) {
    int err = 0;
    state = speex_resampler_init(1, static_cast<spx_uint32_t>(o.in_rate), static_cast<spx_uint32_t>(o.out_rate),
                                 o.quality, &err);
    if (state == nullptr) return Error::internal("speex_resampler_init failed");
  }
  return std::unique_ptr<Resampler>(new Resampler(o.in_rate, o.out_rate, state));
}

Resampler::Resampler(int in_rate, int out_rate, void* state) : in_rate_(in_rate), out_rate_(out_rate), state_(state) {}

Resampler::~Resampler() {
  if (state_ != nullptr) speex_resampler_destroy(st(state_));
}

std::size_t Resampler::output_size(std::size_t in_samples) const {
  return in_samples * static_cast<std::size_t>(out_rate_) / static_cast<std::size_t>(in_rate_);
}

int Resampler::process(std::span<const std::int16_t> in, std::span<std::int16_t> out) {
  const std::size_t want = output_size(in.size());
  if (out.size() < want) return -1;
  if (state_ == nullptr) {
    std::memcpy(out.data(), in.data(), in.size() * sizeof(std::int16_t));
    return static_cast<int>(want);
  }
  std::size_t produced = 0, consumed = 0;
  // speexdsp converts whole frames of these rate pairs exactly; a second pass guards against a short count.
  for (int pass = 0; pass < 2 && produced < want; ++pass) {
    auto in_len = static_cast<spx_uint32_t>(in.size() - consumed);
    auto out_len = static_cast<spx_uint32_t>(want - produced);
    speex_resampler_process_int(st(state_), 0, in.data() + consumed, &in_len, out.data() + produced, &out_len);
    consumed += in_len;
    produced += out_len;
  }
  if (produced < want) {  // keep the frame size fixed: pad at the front (the lag is then constant)
    std::size_t missing = want - produced;
    std::memmove(out.data() + missing, out.data(), produced * sizeof(std::int16_t));
    std::fill_n(out.begin(), missing, std::int16_t{0});
  }
  return static_cast<int>(want);
}

void Resampler::reset() {
  if (state_ != nullptr) {
    speex_resampler_reset_mem(st(state_));
  }
}

Result<std::vector<std::int16_t>> resample_clip(std::span<const std::int16_t> in, int in_rate, int out_rate,
                                                int quality) {
  if (!valid_rate(in_rate)) return Error::invalid("in_rate", "must be 8000..48000");
  if (!valid_rate(out_rate)) return Error::invalid("out_rate", "must be 8000..48000");
  if (in_rate == out_rate) return std::vector<std::int16_t>(in.begin(), in.end());
  int err = 0;
  SpeexResamplerState* s = speex_resampler_init(1, static_cast<spx_uint32_t>(in_rate),
                                                static_cast<spx_uint32_t>(out_rate), quality, &err);
  if (s == nullptr) return Error::internal("speex_resampler_init failed");
  speex_resampler_skip_zeros(s);
  std::size_t want = static_cast<std::size_t>(static_cast<std::int64_t>(in.size()) * out_rate / in_rate);
  std::vector<std::int16_t> out(want);
  std::size_t consumed = 0, produced = 0;
  // Feed the input, then zeros to flush the filter's delay, in bounded chunks.
  std::vector<std::int16_t> zeros(static_cast<std::size_t>(in_rate / 10), 0);
  for (int guard = 0; produced < want && guard < 1000000; ++guard) {
    const bool flushing = consumed >= in.size();
    const std::int16_t* src = flushing ? zeros.data() : in.data() + consumed;
    auto in_len = static_cast<spx_uint32_t>(flushing ? zeros.size() : std::min<std::size_t>(in.size() - consumed, 48000));
    auto out_len = static_cast<spx_uint32_t>(want - produced);
    speex_resampler_process_int(s, 0, src, &in_len, out.data() + produced, &out_len);
    if (!flushing) consumed += in_len;
    produced += out_len;
    if (flushing && out_len == 0) break;
  }
  speex_resampler_destroy(s);
  out.resize(produced);
  return out;
}

}  // namespace confpro::media
