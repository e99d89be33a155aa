// RFC 3550 appendix A receive statistics (rtp_stats.h).
#include "media/rtp_stats.h"

#include <algorithm>

namespace confpro::media {
namespace {
constexpr std::uint32_t kSeqMod = 1u << 16;
constexpr int kMaxDropout = 3000;
constexpr int kMaxMisorder = 100;
constexpr int kMinSequential = 2;
}  // namespace

void RtpReceiveStats::init_seq(std::uint16_t seq) {
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = kSeqMod + 1;
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
  have_transit_ = false;
  jitter_q4_ = 0;
}

SeqVerdict RtpReceiveStats::on_packet(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t rtp_ts,
                                      std::uint32_t arrival_ts) {
  if (!have_source_ || ssrc != ssrc_) {
    if (have_source_) ++ssrc_changes_;
    have_source_ = true;
    ssrc_ = ssrc;
    init_seq(seq);
    max_seq_ = static_cast<std::uint16_t>(seq - 1);
    probation_ = kMinSequential;
  }
  // A.1 update_seq
  const std::uint16_t udelta = static_cast<std::uint16_t>(seq - max_seq_);
  SeqVerdict verdict = SeqVerdict::kAccept;
  if (probation_ > 0) {
    if (seq == static_cast<std::uint16_t>(max_seq_ + 1)) {
      --probation_;
      max_seq_ = seq;
      if (probation_ == 0) {
        init_seq(seq);
      } else {
        verdict = SeqVerdict::kProbation;
      }
    } else {
      probation_ = kMinSequential - 1;
      max_seq_ = seq;
      verdict = SeqVerdict::kProbation;
    }
  } else if (udelta < kMaxDropout) {
    if (seq < max_seq_) cycles_ += kSeqMod;
    max_seq_ = seq;
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    if (seq == bad_seq_) {
      init_seq(seq);  // two sequential packets: the source restarted
    } else {
      bad_seq_ = (std::uint32_t{seq} + 1) & (kSeqMod - 1);
      return SeqVerdict::kBadJump;
    }
  } else {
    // duplicate or reordered within kMaxMisorder: counted, usable by the jitter buffer (which dedups)
    if (static_cast<std::uint16_t>(max_seq_ - seq) > kMaxMisorder) return SeqVerdict::kDuplicateOrOld;
  }
  ++received_;
  // A.8 jitter
  const std::int64_t transit = static_cast<std::int32_t>(arrival_ts - rtp_ts);
  if (have_transit_) {
    std::int64_t d = transit - last_transit_;
    if (d < 0) d = -d;
    // Ignore timestamp jumps larger than a second of audio: a wild jump must not wreck the estimate.
    if (d < clock_rate_) jitter_q4_ += d - ((jitter_q4_ + 8) >> 4);
  }
  last_transit_ = transit;
  have_transit_ = true;
  return verdict;
}

std::int64_t RtpReceiveStats::expected() const {
  if (!have_source_ || received_ == 0) return 0;
  return std::int64_t{cycles_} + max_seq_ - base_seq_ + 1;
}

std::int64_t RtpReceiveStats::lost() const { return expected() - static_cast<std::int64_t>(received_); }

double RtpReceiveStats::jitter_ms() const {
  return static_cast<double>(jitter_q4_) / 16.0 * 1000.0 / clock_rate_;
}

RtcpReportBlock RtpReceiveStats::make_report_block(std::uint32_t last_sr_ntp_mid, std::uint32_t dlsr) {
  RtcpReportBlock b;
  b.ssrc = ssrc_;
  const auto exp = static_cast<std::uint32_t>(expected());
  const std::uint32_t expected_interval = exp - expected_prior_;
  const std::uint64_t received_interval = received_ - received_prior_;
  expected_prior_ = exp;
  received_prior_ = received_;
  const std::int64_t lost_interval = std::int64_t{expected_interval} - static_cast<std::int64_t>(received_interval);
  std::uint8_t fraction = 0;
  if (expected_interval != 0 && lost_interval > 0)
    fraction = static_cast<std::uint8_t>(std::min<std::int64_t>(255, (lost_interval << 8) / expected_interval));
  last_fraction_ = fraction / 256.0;
  b.fraction_lost = fraction;
  b.cumulative_lost = static_cast<std::int32_t>(std::clamp<std::int64_t>(lost(), -0x800000, 0x7fffff));
  b.highest_seq = extended_max();
  b.jitter = jitter_units();
  b.lsr = last_sr_ntp_mid;
  b.dlsr = last_sr_ntp_mid ? dlsr : 0;
  return b;
}

std::uint64_t ntp_from_ns(std::int64_t ns) {
  const auto secs = static_cast<std::uint64_t>(ns / 1000000000);
  const auto frac = static_cast<std::uint64_t>(ns % 1000000000);
  return (secs << 32) | ((frac << 32) / 1000000000);
}

double rtt_ms_from_block(const RtcpReportBlock& block, std::uint32_t now_ntp_mid) {
  if (block.lsr == 0) return -1;
  const std::uint32_t rtt = now_ntp_mid - block.lsr - block.dlsr;
  if (rtt > 0x7fffffffu) return -1;  // negative: clocks disagree
  return rtt * 1000.0 / 65536.0;
}

}  // namespace confpro::media
