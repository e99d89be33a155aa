// Per-stream receive statistics (RFC 3550 appendix A): sequence validation with probation and wrap (A.1), loss
// (A.3), interarrival jitter (A.8), round-trip time from a report block's LSR/DLSR (6.4.1), and the report block
// we send about the stream. An SSRC change restarts the statistics of the stream.
// Thread safety: one instance belongs to one worker thread. Times are passed in (no clock read here).
#pragma once

#include <cstdint>

#include "media/rtcp.h"

namespace confpro::media {

enum class SeqVerdict {
  kAccept,     // in order (or a tolerated reorder) — use it
  kProbation,  // a new source not yet validated (first packets) — still usable
  kDuplicateOrOld,  // far behind the highest seen — drop
  kBadJump,    // a wild sequence jump; dropped unless the next packet confirms it (then the stream restarts)
};

class RtpReceiveStats {
 public:
  // `clock_rate`: RTP timestamp units per second, for jitter in ms.
  explicit RtpReceiveStats(int clock_rate = 8000) : clock_rate_(clock_rate) {}

  // Records one arriving packet. `arrival_ts` is the arrival time in RTP timestamp units (any origin).
  SeqVerdict on_packet(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t rtp_ts, std::uint32_t arrival_ts);

  std::uint32_t ssrc() const { return ssrc_; }
  std::uint64_t received() const { return received_; }
  std::uint32_t extended_max() const { return cycles_ + max_seq_; }
  std::int64_t expected() const;
  std::int64_t lost() const;           // cumulative, may be negative with duplicates (RFC 3550 A.3)
  double jitter_ms() const;
  std::uint32_t jitter_units() const { return static_cast<std::uint32_t>(jitter_q4_ >> 4); }
  int ssrc_changes() const { return ssrc_changes_; }

  // Builds the report block about this stream and resets the interval counters (fraction lost).
  // `last_sr_ntp_mid`: middle 32 bits of the last SR received from it (0 if none), `dlsr`: delay since, 1/65536 s.
  RtcpReportBlock make_report_block(std::uint32_t last_sr_ntp_mid, std::uint32_t dlsr);
  double last_fraction_lost() const { return last_fraction_; }

 private:
  void init_seq(std::uint16_t seq);

  int clock_rate_;
  bool have_source_ = false;
  std::uint32_t ssrc_ = 0;
  std::uint16_t max_seq_ = 0;
  std::uint32_t cycles_ = 0;
  std::uint32_t base_seq_ = 0;
  std::uint32_t bad_seq_ = 0x10000 + 1;  // RTP_SEQ_MOD + 1
  int probation_ = 0;
  std::uint64_t received_ = 0;
  std::uint32_t expected_prior_ = 0;
  std::uint64_t received_prior_ = 0;
  std::int64_t jitter_q4_ = 0;  // jitter * 16
  std::int64_t last_transit_ = 0;
  bool have_transit_ = false;
  int ssrc_changes_ = 0;
  double last_fraction_ = 0;
};

// NTP time helpers: 64-bit 32.32 NTP from nanoseconds since an arbitrary epoch (monotonic is fine for RTT).
std::uint64_t ntp_from_ns(std::int64_t ns);
inline std::uint32_t ntp_middle32(std::uint64_t ntp) { return static_cast<std::uint32_t>(ntp >> 16); }

// RTT in ms from a report block we received (RFC 3550 6.4.1): now - LSR - DLSR, all in 1/65536 s.
// Returns a negative value when the block carries no LSR.
double rtt_ms_from_block(const RtcpReportBlock& block, std::uint32_t now_ntp_mid);

}  // namespace confpro::media
