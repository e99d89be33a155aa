// Recorder: writes PCM frames to a 16-bit WAV file or an Ogg Opus file (by the path's extension: .wav, or
// .ogg/.opus) with libsndfile, without touching the file on the media thread.
//
// Design: the media thread copies each frame into the current block (1 s of audio); a full block is handed to
// the recorder's writer thread through a bounded single-producer/single-consumer ring of 4 blocks allocated at
// open() (so up to ~4 s of disk stall is absorbed). If the ring is full the block is dropped and counted
// (dropped_frames), never waited for. finish() hands over the partial block and asks the writer to close the
// file; the writer then calls `on_done` once, on the writer thread.
// Thread safety: open() and the destructor may block (file creation; joining the writer, which is quick after
// finish()) — call them off the media thread or accept a short wait; write()/finish()/counters are for the one
// media thread that owns the recorder and never block.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace confpro::media {

struct RecorderOptions {
  int sample_rate = 16000;       // rate of the frames written (Ogg Opus: 8000/12000/16000/24000/48000) [16000]
  int max_ms = 0;                // stop taking frames after this much audio [0 = no limit]
  int block_ms = 1000;           // audio per block handed to the writer [1000]
  int blocks = 4;                // blocks in the ring [4]
  // Called once on the writer thread when the file is closed: ok, or the error. Must not block for long.
  std::function<void(bool ok, const std::string& error)> on_done = nullptr;  // [none]
};

class Recorder {
 public:
  // Creates the file (and its directory's absence is an error: kNotFound) and starts the writer thread.
  static Result<std::unique_ptr<Recorder>> open(const std::string& path, RecorderOptions options);
  ~Recorder();  // finish()es if needed and joins the writer
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Appends samples (any length). Returns false once max_ms is reached or after finish().
  bool write(std::span<const std::int16_t> pcm);
  void finish();  // idempotent

  bool full() const { return limit_reached_; }
  std::int64_t samples_written() const { return samples_; }  // accepted by write()
  std::int64_t dropped_samples() const { return dropped_; }  // lost to a full ring
  const std::string& path() const { return path_; }

 private:
  struct Shared;
  Recorder(std::string path, RecorderOptions options, std::unique_ptr<Shared> shared);
  void hand_over();
  static void writer_main(Shared* shared);

  std::string path_;
  RecorderOptions opt_;
  std::unique_ptr<Shared> shared_;
  std::thread writer_;
  std::size_t block_samples_;
  std::size_t fill_ = 0;  // samples in the current block
  std::int64_t samples_ = 0, dropped_ = 0, limit_ = 0;
  bool limit_reached_ = false, finished_ = false;
};

}  // namespace confpro::media
