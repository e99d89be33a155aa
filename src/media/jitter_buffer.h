// Adaptive jitter buffer for one incoming RTP audio stream, decoding into fixed 20 ms (frame_ms) PCM frames at
// the decoder's PCM rate (sample_rate; timestamps count at clock_rate). Packets go in as they arrive (any order, any packet time 10-60 ms); once per tick the
// worker pulls one frame: decoded audio, concealment for a loss, or nothing (stream idle).
//
// How it adapts: for each packet it records d = arrival - timestamp (both in us). The playout offset
// P = pull time - timestamp of the sample being played is kept between P_low and P_low + frame_ms + 5 ms, where
// P_low = max(min d + min_delay_ms, high percentile of d + 2 ms), capped at min d + max_delay_ms, over the last
// 64 packets. Too little delay (late packets, a slower sender) inserts a frame of concealment; too much (after a
// burst, a faster sender) drops a frame, preferably a quiet one (forced when 3 frames too much). A late packet
// (behind the playout point) is dropped and counted, but still raises the target. On a clean network a packet
// waits min_delay_ms..min_delay_ms+frame_ms.
// Pauses (silence suppression, DTX, hold): after idle_after_ms of concealment with nothing buffered, pull()
// returns kEmpty; the next talk spurt (or any gap longer than max_delay_ms) starts afresh from its first packet.
// Loss: a gap before a buffered packet is concealed by the decoder, with that packet's in-band FEC when it
// directly follows the gap (Opus).
//
// Wraps: sequence numbers and timestamps are unwrapped to 64 bits; a jump of more than 10 s (or 3000 packets)
// restarts the stream like an SSRC change, and so do 10 late packets in a row (timestamps moved back).
// Storage: fixed at construction (capacity x max_payload bytes, plus 120 ms of PCM); no allocation per packet.
// Thread safety: one instance belongs to one worker thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/codec.h"

namespace confpro::media {

using SteadyTime = std::chrono::steady_clock::time_point;

struct JitterBufferOptions {
  int clock_rate = 8000;      // RTP timestamp rate of the stream (CodecSpec::clock_rate) [8000]
  int sample_rate = 8000;     // PCM rate the decoder produces (native_rate(kind), or Opus decoding at 16k) [8000]
  int frame_ms = 20;          // size of one pulled frame [20]
  int min_delay_ms = 20;      // EngineOptions::jitter_min_ms: least wait of a packet [20]
  int max_delay_ms = 200;     // EngineOptions::jitter_max_ms: most wait of a packet [200]
  int capacity = 24;          // packets held at most (older dropped when full) [24]
  int max_payload = 640;      // largest payload kept, bytes; larger ones dropped (G.711 60 ms = 480) [640]
  int idle_after_ms = 60;     // concealment with nothing buffered stops after this; then kEmpty [60]
};

struct JitterBufferStats {
  std::uint64_t inserted = 0;          // packets accepted
  std::uint64_t duplicates = 0;        // same sequence number seen before
  std::uint64_t late = 0;              // arrived behind the playout point
  std::uint64_t overflow = 0;          // dropped because the buffer was full
  std::uint64_t oversize = 0;          // payload larger than max_payload
  std::uint64_t decode_errors = 0;     // decoder refused the payload
  std::uint64_t frames_decoded = 0;    // pulled frames made of received audio
  std::uint64_t frames_concealed = 0;  // pulled frames (or parts) made by concealment (loss or underflow)
  std::uint64_t frames_fec = 0;        // concealments that used the next packet's in-band FEC
  std::uint64_t frames_dropped = 0;    // frames skipped to shorten the delay
  std::uint64_t frames_inserted = 0;   // frames of concealment added to lengthen the delay
  std::uint64_t resets = 0;            // restarts: SSRC change, wild jump, explicit reset()
};

enum class PullResult {
  kAudio,    // `pcm` holds a frame (received audio, possibly partly concealed)
  kConceal,  // `pcm` holds a frame of concealment (loss, or waiting for a late packet)
  kEmpty,    // nothing to play (not started or idle); `pcm` is zeroed
};

class JitterBuffer {
 public:
  explicit JitterBuffer(const JitterBufferOptions& options);
  JitterBuffer(const JitterBuffer&) = delete;
  JitterBuffer& operator=(const JitterBuffer&) = delete;

  // Adds one RTP packet's payload (copied). `ssrc` different from the current one restarts the buffer.
  // Returns false when the packet was dropped (duplicate, late, oversize, full); counted in stats().
  bool insert(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t timestamp, std::span<const std::uint8_t> payload,
              SteadyTime arrival);

  // Produces one frame (frame_samples() samples into `pcm`, which must be that large) for the tick at `now`,
  // decoding with `decoder` (which must match the stream; it keeps its state between calls).
  PullResult pull(Decoder& decoder, std::span<std::int16_t> pcm, SteadyTime now);

  void reset();  // forget everything (new stream, codec change); keeps counters

  std::size_t frame_samples() const { return frame_samples_; }
  // Wait of the audio played last: pull time - arrival of its packet, smoothed (EWMA 1/16), in ms; -1 if none.
  double current_delay_ms() const;
  // Target wait for a packet arriving with the least delay (P_low - min d), ms.
  double target_delay_ms() const;
  std::size_t packets_buffered() const { return count_; }
  const JitterBufferStats& stats() const { return stats_; }

 private:
  struct Slot {
    bool used = false;
    std::int64_t seq = 0;     // unwrapped
    std::int64_t pos = 0;     // unwrapped timestamp in PCM samples
    std::int64_t arrival_us = 0;
    std::uint16_t size = 0;
  };
  enum class State { kWaiting, kPlaying, kIdle };

  void restart(std::uint32_t ssrc);
  int earliest_at_or_before(std::int64_t pos) const;
  int earliest_after(std::int64_t pos) const;
  void release(int slot);
  void add_transit(std::int64_t d);
  void track_extremes(std::int64_t d, bool second);  // `second`: d is the window's second value
  void update_targets();
  std::int64_t ts_us(std::int64_t pos) const;
  bool maybe_start(std::int64_t now_us);
  // Fills pcm[0..frame) from the buffer at pos_; returns samples of received audio in it.
  std::size_t fill(Decoder& decoder, std::span<std::int16_t> pcm, std::int64_t now_us, bool& concealed);
  bool decode_slot(Decoder& decoder, int slot);

  JitterBufferOptions opt_;
  std::size_t frame_samples_;
  std::vector<Slot> slots_;
  std::vector<int> order_;  // the used slots by position, earliest first
  std::vector<int> free_;   // the unused slots
  std::vector<std::uint8_t> payloads_;  // capacity * max_payload
  std::vector<std::int16_t> carry_;     // a decoded packet not yet fully played (120 ms at most)
  std::vector<std::int16_t> scratch_;   // one frame, for dropped frames
  std::size_t carry_len_ = 0, carry_off_ = 0;
  std::int64_t carry_pos_ = 0;          // position of carry_[carry_off_]
  std::int64_t carry_arrival_us_ = 0;
  std::size_t count_ = 0;

  State state_ = State::kWaiting;
  bool have_stream_ = false;
  std::uint32_t ssrc_ = 0;
  std::int64_t max_seq_ = 0;            // highest unwrapped sequence number seen
  std::int64_t max_ts_ = 0;             // highest unwrapped timestamp seen
  std::int64_t pos_ = 0;                // next PCM sample to play
  std::int64_t idle_samples_ = 0;       // concealed with nothing buffered
  std::int64_t last_duration_ = 0;      // samples in the last decoded packet
  bool last_quiet_ = true;              // the last frame played was quiet (a good place to drop/insert)
  int cooldown_ = 0;                    // pulls before the next drop/insert
  int consecutive_late_ = 0;

  static constexpr int kWindow = 64;
  std::int64_t transit_[kWindow] = {};
  int transit_count_ = 0, transit_next_ = 0;
  std::int64_t d_min_ = 0, p_low_ = 0;  // us
  bool targets_dirty_ = true;           // a packet came (or the packet time changed) since update_targets()
  bool rescan_ = true;                  // lo_/hi1_/hi2_ must be recomputed from the window
  std::int64_t lo_ = 0, hi1_ = 0, hi2_ = 0;  // lowest, highest, second highest transit in the window
  std::int64_t seen_[128] = {};          // recently seen unwrapped seq + 1, for duplicate detection

  double delay_ms_ = -1;
  JitterBufferStats stats_;
};

}  // namespace confpro::media
