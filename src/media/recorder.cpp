#include "media/recorder.h"

#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include "common/thread_annotations.h"

namespace confpro::media {

// State shared with the writer thread. The ring: blocks [head, tail) are queued for the writer; the producer
// fills block `tail` (never handed out until queued). All counters are guarded by mu.
struct Recorder::Shared {
  Mutex mu;
  std::condition_variable cv;
  std::vector<std::vector<std::int16_t>> blocks;
  std::vector<std::size_t> lengths;
  std::size_t head GUARDED_BY(mu) = 0;
  std::size_t tail GUARDED_BY(mu) = 0;
  bool finishing GUARDED_BY(mu) = false;
  // The producer's own read of tail: only the producer writes tail (under mu), so this read races with nothing.
  std::size_t producer_tail() const NO_THREAD_SAFETY_ANALYSIS { return tail; }
  SNDFILE* file = nullptr;          // writer thread only, after open()
  std::function<void(bool, const std::string&)> on_done;
};

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                                                 [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

}  // namespace

Result<std::unique_ptr<Recorder>> Recorder::open(const std::string& path, RecorderOptions options) {
  SF_INFO info{};
  info.samplerate = options.sample_rate;
  info.channels = 1;
  if (ends_with(path, ".wav")) {
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  } else if (ends_with(path, ".ogg") || ends_with(path, ".opus")) {
    info.format = SF_FORMAT_OGG | SF_FORMAT_OPUS;
    const int r = options.sample_rate;
    if (r != 8000 && r != 12000 && r != 16000 && r != 24000 && r != 48000) {
      return Error::invalid("sample_rate", "Ogg Opus needs 8000, 12000, 16000, 24000 or 48000");
    }
  } else {
    return Error::invalid("path", "recording must end in .wav, .ogg or .opus: " + path);
  }
  if (options.sample_rate < 8000 || options.sample_rate > 48000) {
    return Error::invalid("sample_rate", "must be 8000..48000");
  }
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return Error::not_found("no directory " + parent.string());
  }
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (f == nullptr) return Error::unavailable(path + ": " + sf_strerror(nullptr));

  options.block_ms = std::clamp(options.block_ms, 20, 10000);
  options.blocks = std::clamp(options.blocks, 2, 64);
  auto shared = std::make_unique<Shared>();
  shared->file = f;
  shared->on_done = options.on_done;
  const auto block = static_cast<std::size_t>(options.sample_rate) * static_cast<std::size_t>(options.block_ms) / 1000;
  shared->blocks.assign(static_cast<std::size_t>(options.blocks), std::vector<std::int16_t>(block));
  shared->lengths.assign(static_cast<std::size_t>(options.blocks), 0);
  return std::unique_ptr<Recorder>(new Recorder(path, std::move(options), std::move(shared)));
}

Recorder::Recorder(std::string path, RecorderOptions options, std::unique_ptr<Shared> shared)
    : path_(std::move(path)), opt_(std::move(options)), shared_(std::move(shared)) {
  block_samples_ = shared_->blocks[0].size();
  limit_ = opt_.max_ms > 0 ? std::int64_t{opt_.max_ms} * opt_.sample_rate / 1000 : 0;
  writer_ = std::thread(&Recorder::writer_main, shared_.get());
}

Recorder::~Recorder() {
  finish();
  if (writer_.joinable()) writer_.join();
}

bool Recorder::write(std::span<const std::int16_t> pcm) {
  if (finished_ || limit_reached_) return false;
  std::size_t take = pcm.size();
  if (limit_ > 0) {
    const auto room = static_cast<std::size_t>(std::max<std::int64_t>(0, limit_ - samples_));
    if (take >= room) {
      take = room;
      limit_reached_ = true;
    }
  }
  std::size_t done = 0;
  // The current block is only touched by this thread: it is not queued until hand_over().
  while (done < take) {
    auto& block = shared_->blocks[shared_->producer_tail() % shared_->blocks.size()];
    const std::size_t k = std::min(take - done, block_samples_ - fill_);
    std::memcpy(block.data() + fill_, pcm.data() + done, k * sizeof(std::int16_t));
    fill_ += k;
    done += k;
    if (fill_ == block_samples_) hand_over();
  }
  samples_ += static_cast<std::int64_t>(take);
  return !limit_reached_;
}

void Recorder::hand_over() {
  if (fill_ == 0) return;
  {
    MutexLock lock(shared_->mu);
    const std::size_t n = shared_->blocks.size();
    if (shared_->tail + 1 - shared_->head < n) {
      shared_->lengths[shared_->tail % n] = fill_;
      ++shared_->tail;
    } else {
      dropped_ += static_cast<std::int64_t>(fill_);  // the writer is behind: lose this block, do not wait
    }
  }
  fill_ = 0;
  shared_->cv.notify_one();
}

void Recorder::finish() {
  if (finished_) return;
  hand_over();
  finished_ = true;
  {
    MutexLock lock(shared_->mu);
    shared_->finishing = true;
  }
  shared_->cv.notify_one();
}

void Recorder::writer_main(Shared* s) {
  bool ok = true;
  std::string error;
  MutexLock lock(s->mu);
  for (;;) {
    while (!(s->head < s->tail || s->finishing)) lock.wait(s->cv);
    if (s->head < s->tail) {
      const std::size_t i = s->head % s->blocks.size();
      const std::size_t len = s->lengths[i];
      lock.unlock();
      const sf_count_t written = sf_write_short(s->file, s->blocks[i].data(), static_cast<sf_count_t>(len));
      if (ok && written != static_cast<sf_count_t>(len)) {
        ok = false;
        error = sf_strerror(s->file);
      }
      lock.lock();
      ++s->head;
      continue;
    }
    break;  // finishing and drained
  }
  lock.unlock();
  if (sf_close(s->file) != 0 && ok) {
    ok = false;
    error = "closing the file failed";
  }
  if (s->on_done) s->on_done(ok, error);
}

}  // namespace confpro::media
