// Prompt sequence player: plays a list of decoded clips (PromptCache pointers) one after the other, frame by
// frame at the mix rate, optionally looping (music on hold).
// Thread safety: build it anywhere (make_player() reads files: not on a media worker unless the clips are
// cached), then it belongs to one worker thread; next_frame() does not allocate, lock or touch files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "media/audio_file.h"

namespace confpro::media {

class Player {
 public:
  // All clips must have the same sample rate. An empty list is finished at once.
  Player(std::vector<PcmPtr> clips, bool loop);

  // Fills `out` with the next out.size() samples (zero after the end). Returns the number of samples that came
  // from the clips (less than out.size() only on the frame where the sequence ends). A looping player never
  // ends unless every clip is empty.
  std::size_t next_frame(std::span<std::int16_t> out);
  // Adds the next samples into `out` (saturating) instead of overwriting; same return value.
  std::size_t mix_into(std::span<std::int16_t> out, float gain = 1.0f);

  bool finished() const { return finished_; }
  std::size_t clip_index() const { return clip_; }
  int sample_rate() const { return rate_; }

 private:
  template <typename Sink>
  std::size_t produce(std::size_t n, Sink&& sink);
  std::vector<PcmPtr> clips_;
  bool loop_;
  int rate_ = 0;
  std::size_t clip_ = 0, offset_ = 0;
  bool finished_ = false;
};

// Loads every file through `cache` at `sample_rate` and builds a player. Fails on the first unreadable file.
Result<std::unique_ptr<Player>> make_player(PromptCache& cache, const std::vector<std::string>& files,
                                            int sample_rate, bool loop);

}  // namespace confpro::media
