// Adaptive jitter buffer (jitter_buffer.h). Positions are unwrapped RTP timestamps expressed in PCM samples at
// the decoder's rate; times are microseconds of the caller's steady clock.
#include "media/jitter_buffer.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace confpro::media {
namespace {

constexpr std::int64_t kMaxSeqJump = 3000;
constexpr std::int64_t kMaxTsJumpSeconds = 10;
constexpr std::int64_t kQuietMeanSquare = 184 * 184;  // ~ -45 dBov
constexpr std::int64_t kSlackUs = 5000;                // hysteresis above the target before dropping
constexpr std::int64_t kJitterMarginUs = 2000;         // margin over the high percentile of the transit
constexpr int kForcedFrames = 3;                       // too much delay, in frames, to drop even speech
constexpr int kMaxConsecutiveLate = 10;                // late packets in a row that restart the stream

std::int64_t to_us(SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

bool quiet(std::span<const std::int16_t> pcm) {
  std::int64_t sum = 0;
  for (auto s : pcm) sum += std::int32_t{s} * s;  // 32-bit products: vectorised
  return pcm.empty() || sum / static_cast<std::int64_t>(pcm.size()) < kQuietMeanSquare;
}

}  // namespace

JitterBuffer::JitterBuffer(const JitterBufferOptions& options)
    : opt_(options),
      frame_samples_(static_cast<std::size_t>(options.sample_rate * options.frame_ms / 1000)),

      slots_(static_cast<std::size_t>(std::max(2, options.capacity))),
      payloads_(slots_.size() * static_cast<std::size_t>(std::max(1, options.max_payload))),
      carry_(static_cast<std::size_t>(options.sample_rate * 120 / 1000)),
      scratch_(frame_samples_) {
  assert(options.clock_rate > 0 && options.sample_rate > 0);
  order_.reserve(slots_.size());
  free_.reserve(slots_.size());
  for (std::size_t i = slots_.size(); i-- > 0;) free_.push_back(static_cast<int>(i));
}

std::int64_t JitterBuffer::ts_us(std::int64_t pos) const { return pos * 1000000 / opt_.sample_rate; }

void JitterBuffer::restart(std::uint32_t ssrc) {
  if (have_stream_) ++stats_.resets;
  have_stream_ = true;
  ssrc_ = ssrc;
  for (auto& s : slots_) s.used = false;
  count_ = 0;
  order_.clear();
  free_.clear();
  for (std::size_t i = slots_.size(); i-- > 0;) free_.push_back(static_cast<int>(i));
  targets_dirty_ = true;
  carry_len_ = carry_off_ = 0;
  state_ = State::kWaiting;
  transit_count_ = transit_next_ = 0;
  d_min_ = p_low_ = 0;
  std::fill(std::begin(seen_), std::end(seen_), 0);
  idle_samples_ = last_duration_ = 0;
  last_quiet_ = true;
  cooldown_ = 0;
  consecutive_late_ = 0;
  max_seq_ = -1;  // marks "no packet yet"
}

void JitterBuffer::reset() {
  if (!have_stream_) return;
  restart(ssrc_);  // counts the reset
  have_stream_ = false;
}

bool JitterBuffer::insert(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t timestamp,
                          std::span<const std::uint8_t> payload, SteadyTime arrival) {
  if (!have_stream_ || ssrc != ssrc_) restart(ssrc);
  if (payload.empty()) {
    ++stats_.decode_errors;
    return false;
  }
  if (payload.size() > static_cast<std::size_t>(opt_.max_payload)) {
    ++stats_.oversize;
    return false;
  }
  // Unwrap relative to the highest values seen; a wild jump restarts the stream.
  std::int64_t seq64 = seq, ts64 = timestamp;
  if (max_seq_ >= 0) {
    const auto dseq = static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - static_cast<std::uint16_t>(max_seq_)));
    const auto dts = static_cast<std::int32_t>(timestamp - static_cast<std::uint32_t>(max_ts_));
    if (std::abs(dseq) > kMaxSeqJump ||
        std::abs(static_cast<std::int64_t>(dts)) > kMaxTsJumpSeconds * opt_.clock_rate) {
      restart(ssrc);
    } else {
      seq64 = max_seq_ + dseq;
      ts64 = max_ts_ + dts;
    }
  }
  if (max_seq_ < 0) {
    // Keep unwrapped values positive and far from zero so that going back a little never goes below.
    seq64 = (1 << 20) + seq;
    ts64 = (std::int64_t{1} << 33) + timestamp;
    max_seq_ = seq64;
    max_ts_ = ts64;
  }
  max_seq_ = std::max(max_seq_, seq64);
  max_ts_ = std::max(max_ts_, ts64);

  auto& seen = seen_[seq64 & 127];
  if (seen == seq64 + 1) {
    ++stats_.duplicates;
    return false;
  }
  seen = seq64 + 1;

  const std::int64_t pos = ts64 * opt_.sample_rate / opt_.clock_rate;
  const std::int64_t arrival_us = to_us(arrival);
  // Every packet, late ones included, tells how late packets come.
  add_transit(arrival_us - ts_us(pos));

  if (state_ != State::kWaiting && pos < pos_) {
    ++stats_.late;
    // A run of "late" packets means the sender moved its timestamps back (no SSRC change): follow it.
    if (++consecutive_late_ >= kMaxConsecutiveLate) {
      restart(ssrc);
      return insert(ssrc, seq, timestamp, payload, arrival);
    }
    return false;
  }
  consecutive_late_ = 0;
  // order_ holds the buffered slots by position: find where this one goes (usually at the end).
  std::size_t at = order_.size();
  while (at > 0 && slots_[static_cast<std::size_t>(order_[at - 1])].pos >= pos) --at;
  if (at < order_.size() && slots_[static_cast<std::size_t>(order_[at])].pos == pos) {
    ++stats_.duplicates;
    return false;
  }
  if (count_ == slots_.size()) {
    ++stats_.overflow;
    release(order_.front());  // the oldest goes
    if (at > 0) --at;
  }
  const int i = free_.back();
  free_.pop_back();
  slots_[static_cast<std::size_t>(i)] = Slot{true, seq64, pos, arrival_us, static_cast<std::uint16_t>(payload.size())};
  std::memcpy(payloads_.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(opt_.max_payload),
              payload.data(), payload.size());
  order_.insert(order_.begin() + static_cast<std::ptrdiff_t>(at), i);  // within the reserved capacity
  ++count_;
  ++stats_.inserted;
  return true;
}

int JitterBuffer::earliest_at_or_before(std::int64_t pos) const {
  if (order_.empty() || slots_[static_cast<std::size_t>(order_.front())].pos > pos) return -1;
  return order_.front();
}

int JitterBuffer::earliest_after(std::int64_t pos) const {
  for (const int i : order_)
    if (slots_[static_cast<std::size_t>(i)].pos > pos) return i;
  return -1;
}

void JitterBuffer::release(int slot) {
  if (slot < 0) return;
  auto& s = slots_[static_cast<std::size_t>(slot)];
  if (!s.used) return;
  s.used = false;
  --count_;
  order_.erase(std::find(order_.begin(), order_.end(), slot));
  free_.push_back(slot);
}

void JitterBuffer::add_transit(std::int64_t d) {
  const bool evicting = transit_count_ == kWindow;
  const std::int64_t old = transit_[transit_next_];
  transit_[transit_next_] = d;
  transit_next_ = (transit_next_ + 1) % kWindow;
  transit_count_ = std::min(transit_count_ + 1, kWindow);
  targets_dirty_ = true;
  // The lowest and the two highest follow the window without a scan, unless one of them leaves it.
  if (rescan_ || transit_count_ == 1 || (evicting && (old <= lo_ || old >= hi2_))) {
    rescan_ = true;
    return;
  }
  track_extremes(d, transit_count_ == 2);
}

void JitterBuffer::track_extremes(std::int64_t d, bool second) {
  lo_ = std::min(lo_, d);
  if (d > hi1_) {
    hi2_ = hi1_;
    hi1_ = d;
  } else if (d > hi2_ || second) {
    hi2_ = d;
  }
}

void JitterBuffer::update_targets() {
  if (!targets_dirty_ || transit_count_ == 0) return;
  targets_dirty_ = false;
  if (rescan_) {
    rescan_ = false;
    lo_ = hi1_ = hi2_ = transit_[0];
    for (int i = 1; i < transit_count_; ++i) track_extremes(transit_[i], i == 1);
  }
  const std::int64_t lo = lo_;
  // The second-highest of 64 is about the 97th percentile: one outlier does not set the delay.
  const std::int64_t high = transit_count_ >= 8 ? hi2_ : hi1_;
  d_min_ = lo;
  // A frame made of several shorter packets waits for the last of them.
  const std::int64_t ptime_us = last_duration_ > 0 ? ts_us(last_duration_) : ts_us(static_cast<std::int64_t>(frame_samples_));
  const std::int64_t extra = std::max<std::int64_t>(0, ts_us(static_cast<std::int64_t>(frame_samples_)) - ptime_us);
  std::int64_t p = std::max(lo + std::int64_t{opt_.min_delay_ms} * 1000, high + kJitterMarginUs) + extra;
  p_low_ = std::min(p, lo + std::int64_t{opt_.max_delay_ms} * 1000 + extra);
}

bool JitterBuffer::maybe_start(std::int64_t now_us) {
  const int e = earliest_after(std::numeric_limits<std::int64_t>::min());
  if (e < 0) return false;
  const auto& s = slots_[static_cast<std::size_t>(e)];
  if (now_us - ts_us(s.pos) < p_low_ && count_ < slots_.size() / 2) return false;
  pos_ = s.pos;
  state_ = State::kPlaying;
  carry_len_ = carry_off_ = 0;
  idle_samples_ = 0;
  cooldown_ = 0;
  return true;
}

bool JitterBuffer::decode_slot(Decoder& decoder, int slot) {
  auto& s = slots_[static_cast<std::size_t>(slot)];
  std::span<const std::uint8_t> payload(payloads_.data() + static_cast<std::size_t>(slot) * static_cast<std::size_t>(opt_.max_payload), s.size);
  const int n = decoder.decode(payload, carry_);
  const std::int64_t pos = s.pos, arrival = s.arrival_us;
  release(slot);
  if (n <= 0) {
    ++stats_.decode_errors;
    return false;
  }
  carry_off_ = 0;
  carry_len_ = static_cast<std::size_t>(n);
  carry_pos_ = pos;
  carry_arrival_us_ = arrival;
  if (last_duration_ != n) targets_dirty_ = true;
  last_duration_ = n;
  return true;
}

std::size_t JitterBuffer::fill(Decoder& decoder, std::span<std::int16_t> pcm, std::int64_t now_us, bool& concealed) {
  const std::size_t n = frame_samples_;
  std::size_t filled = 0, audio = 0;
  bool delay_measured = false;
  // Each pass makes progress (copies, decodes a slot, or conceals); bounded by slots + frame size.
  for (std::size_t guard = 0; filled < n && guard < slots_.size() + n + 4; ++guard) {
    if (carry_len_ > 0 && carry_pos_ <= pos_) {
      if (carry_pos_ < pos_) {  // behind the playout point (after a drop or a misaligned packet): skip
        const auto skip = static_cast<std::size_t>(std::min<std::int64_t>(pos_ - carry_pos_, static_cast<std::int64_t>(carry_len_)));
        carry_off_ += skip;
        carry_len_ -= skip;
        carry_pos_ += static_cast<std::int64_t>(skip);
        continue;
      }
      const std::size_t k = std::min(carry_len_, n - filled);
      std::memcpy(pcm.data() + filled, carry_.data() + carry_off_, k * sizeof(std::int16_t));
      carry_off_ += k;
      carry_len_ -= k;
      carry_pos_ += static_cast<std::int64_t>(k);
      pos_ += static_cast<std::int64_t>(k);
      filled += k;
      audio += k;
      if (!delay_measured) {
        const double wait_ms = static_cast<double>(now_us - carry_arrival_us_) / 1000.0;
        delay_ms_ = delay_ms_ < 0 ? wait_ms : delay_ms_ + (wait_ms - delay_ms_) / 16.0;
        delay_measured = true;
      }
      continue;
    }
    const int at = earliest_at_or_before(pos_);
    if (at >= 0) {
      decode_slot(decoder, at);
      continue;
    }
    const int next = earliest_after(pos_);
    std::int64_t next_pos = next >= 0 ? slots_[static_cast<std::size_t>(next)].pos : -1;
    if (carry_len_ > 0 && (next_pos < 0 || carry_pos_ < next_pos)) next_pos = carry_pos_;
    if (next_pos < 0) {  // nothing at all: underflow; conceal without moving the playout point
      const std::size_t k = n - filled;
      decoder.conceal(pcm.subspan(filled, k), k);
      idle_samples_ += static_cast<std::int64_t>(k);
      filled += k;
      concealed = true;
      break;
    }
    // A gap before the next packet: a loss (or a packet still to come, too late for this tick).
    const std::int64_t gap = next_pos - pos_;
    const std::size_t k = static_cast<std::size_t>(std::min<std::int64_t>(gap, static_cast<std::int64_t>(n - filled)));
    std::span<const std::uint8_t> fec;
    if (next >= 0 && next_pos == slots_[static_cast<std::size_t>(next)].pos &&
        static_cast<std::int64_t>(k) == gap &&
        gap <= std::max<std::int64_t>(last_duration_, static_cast<std::int64_t>(n))) {
      const auto& s = slots_[static_cast<std::size_t>(next)];
      fec = {payloads_.data() + static_cast<std::size_t>(next) * static_cast<std::size_t>(opt_.max_payload), s.size};
      ++stats_.frames_fec;
    }
    decoder.conceal(pcm.subspan(filled, k), k, fec);
    pos_ += static_cast<std::int64_t>(k);
    filled += k;
    concealed = true;
  }
  if (filled < n) std::fill(pcm.begin() + static_cast<std::ptrdiff_t>(filled), pcm.begin() + static_cast<std::ptrdiff_t>(n), std::int16_t{0});
  if (audio > 0) idle_samples_ = 0;
  return audio;
}

PullResult JitterBuffer::pull(Decoder& decoder, std::span<std::int16_t> pcm, SteadyTime now) {
  const std::size_t n = frame_samples_;
  if (pcm.size() < n) {
    std::fill(pcm.begin(), pcm.end(), std::int16_t{0});
    return PullResult::kEmpty;
  }
  auto out = pcm.first(n);
  const std::int64_t now_us = to_us(now);
  update_targets();

  if (state_ == State::kPlaying && carry_len_ == 0 && earliest_at_or_before(pos_) < 0) {
    // A long gap before the next packet (silence suppression, a paused sender): start again from it.
    const int next = earliest_after(pos_);
    if (next >= 0 && slots_[static_cast<std::size_t>(next)].pos - pos_ > std::int64_t{opt_.max_delay_ms} * opt_.sample_rate / 1000) {
      state_ = State::kWaiting;
    }
  }
  if (state_ != State::kPlaying && !maybe_start(now_us)) {
    std::fill(out.begin(), out.end(), std::int16_t{0});
    return PullResult::kEmpty;
  }

  // Keep the playout offset P = now - ts(pos_) between p_low_ and p_low_ + one frame + slack.
  const std::int64_t p = now_us - ts_us(pos_);
  const std::int64_t frame_us = ts_us(static_cast<std::int64_t>(n));
  const bool buffered = carry_len_ > 0 || count_ > 0;
  if (cooldown_ > 0) --cooldown_;
  if (cooldown_ == 0 && buffered && p < p_low_ && last_quiet_) {
    decoder.conceal(out, n);  // stretch: one frame more without consuming any
    ++stats_.frames_inserted;
    ++stats_.frames_concealed;
    cooldown_ = 2;
    return PullResult::kConceal;
  }
  const std::int64_t excess = p - p_low_;
  if (cooldown_ == 0 && buffered && excess > frame_us + kSlackUs &&
      (last_quiet_ || excess > kForcedFrames * frame_us)) {
    bool dropped_concealed = false;
    fill(decoder, scratch_, now_us, dropped_concealed);  // shrink: consume one frame without playing it
    ++stats_.frames_dropped;
    cooldown_ = last_quiet_ ? 2 : 10;
  }

  bool concealed = false;
  const std::size_t audio = fill(decoder, out, now_us, concealed);
  last_quiet_ = quiet(out);
  if (audio > 0) ++stats_.frames_decoded;
  if (concealed) ++stats_.frames_concealed;
  if (audio == 0 && idle_samples_ >= std::int64_t{opt_.idle_after_ms} * opt_.sample_rate / 1000) {
    state_ = State::kIdle;  // the sender paused: stop concealing until packets come again
  }
  return audio > 0 ? PullResult::kAudio : PullResult::kConceal;
}

double JitterBuffer::current_delay_ms() const { return delay_ms_; }

double JitterBuffer::target_delay_ms() const { return static_cast<double>(p_low_ - d_min_) / 1000.0; }

}  // namespace confpro::media
