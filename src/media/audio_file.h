// Audio files: reading WAV (any rate, any libsndfile format, mixed down to mono) into 16-bit PCM at a requested
// rate, and a cache of decoded prompts shared by pointer.
// Thread safety: read_audio_file() is a blocking file read: never call it on a media worker. PromptCache is safe
// from any thread (one mutex, taken per load, never per frame); the Pcm it hands out is immutable and may be
// read by any number of threads while someone holds the pointer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/thread_annotations.h"

namespace confpro::media {

struct Pcm {
  int sample_rate = 0;
  std::vector<std::int16_t> samples;  // mono
  double duration_seconds() const {
    return sample_rate ? static_cast<double>(samples.size()) / sample_rate : 0.0;
  }
};
using PcmPtr = std::shared_ptr<const Pcm>;

// Reads the whole file and converts it to mono at `sample_rate` (8000..48000).
// Errors: kNotFound (no such file), kInvalidArgument (not an audio file libsndfile reads, or a bad rate).
Result<Pcm> read_audio_file(const std::string& path, int sample_rate);

// Decoded prompts keyed by (path, rate). Entries stay until clear(); the set of prompts is small and fixed.
class PromptCache {
 public:
  // Returns the cached clip or reads it (blocking; the lock is not held while reading).
  Result<PcmPtr> load(const std::string& path, int sample_rate);
  std::size_t size() const;
  void clear();

 private:
  mutable Mutex mu_;
  std::map<std::pair<std::string, int>, PcmPtr> clips_ GUARDED_BY(mu_);
};

}  // namespace confpro::media
