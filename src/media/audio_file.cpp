#include "media/audio_file.h"

#include <sndfile.h>

#include <filesystem>

#include "media/resampler.h"

namespace confpro::media {

Result<Pcm> read_audio_file(const std::string& path, int sample_rate) {
  if (sample_rate < 8000 || sample_rate > 48000) return Error::invalid("sample_rate", "must be 8000..48000");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Error::not_found("no audio file " + path);
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (f == nullptr) return Error::invalid("path", path + ": " + sf_strerror(nullptr));
  if (info.channels < 1 || info.samplerate < 1 || info.frames < 0 || info.frames > std::int64_t{48000} * 3600) {
    sf_close(f);
    return Error::invalid("path", path + ": unsupported audio layout");
  }
  // Floating-point files: scale [-1, 1] to full-scale 16-bit instead of truncating to -1/0/1.
  sf_command(f, SFC_SET_SCALE_FLOAT_INT_READ, nullptr, SF_TRUE);
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<std::int16_t> interleaved(static_cast<std::size_t>(info.frames) * channels);
  const sf_count_t got = sf_readf_short(f, interleaved.data(), info.frames);
  sf_close(f);
  if (got < 0) return Error::invalid("path", path + ": unreadable");
  std::vector<std::int16_t> mono(static_cast<std::size_t>(got));
  for (std::size_t i = 0; i < mono.size(); ++i) {
    int sum = 0;
    for (std::size_t c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
    mono[i] = static_cast<std::int16_t>(sum / static_cast<int>(channels));
  }
  Pcm pcm;
  pcm.sample_rate = sample_rate;
  if (info.samplerate == sample_rate) {
    pcm.samples = std::move(mono);
    return pcm;
  }
  if (info.samplerate < 8000 || info.samplerate > 48000) {
    return Error::invalid("path", path + ": sample rate " + std::to_string(info.samplerate) + " not supported");
  }
  auto converted = resample_clip(mono, info.samplerate, sample_rate);
  if (!converted.ok()) return converted.error();
  pcm.samples = std::move(*converted);
  return pcm;
}

Result<PcmPtr> PromptCache::load(const std::string& path, int sample_rate) {
  const auto key = std::make_pair(path, sample_rate);
  {
    MutexLock lock(mu_);
    if (auto it = clips_.find(key); it != clips_.end()) return it->second;
  }
  auto pcm = read_audio_file(path, sample_rate);  // without the lock: other prompts stay available meanwhile
  if (!pcm.ok()) return pcm.error();
  auto ptr = std::make_shared<const Pcm>(std::move(*pcm));
  MutexLock lock(mu_);
  auto [it, inserted] = clips_.emplace(key, ptr);
  return it->second;  // if another thread won the race, everyone shares its copy
}

std::size_t PromptCache::size() const {
  MutexLock lock(mu_);
  return clips_.size();
}

void PromptCache::clear() {
  MutexLock lock(mu_);
  clips_.clear();
}

}  // namespace confpro::media
