// RTCP compound packets (RFC 3550 section 6): SR, RR, SDES (CNAME) and BYE, parsed strictly into a fixed-size
// summary (no allocation) and built into a caller buffer. Unknown packet types (APP, XR, feedback) are skipped.
// Thread safety: pure functions over caller-owned memory; callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace confpro::media {

struct RtcpReportBlock {
  std::uint32_t ssrc = 0;           // the source this block is about
  std::uint8_t fraction_lost = 0;   // /256
  std::int32_t cumulative_lost = 0; // 24-bit signed
  std::uint32_t highest_seq = 0;    // extended
  std::uint32_t jitter = 0;         // timestamp units
  std::uint32_t lsr = 0;            // middle 32 bits of the last SR's NTP time
  std::uint32_t dlsr = 0;           // 1/65536 s
};

struct RtcpSenderInfo {
  std::uint64_t ntp = 0;  // 32.32 fixed point
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;
};

// Everything we use from one compound packet. Views point into the parsed buffer.
struct RtcpCompound {
  static constexpr int kMaxBlocks = 8;
  static constexpr int kMaxBye = 8;
  bool has_sr = false;
  std::uint32_t sender_ssrc = 0;  // of the SR or RR
  RtcpSenderInfo sender;
  int block_count = 0;  // kept (the rest are skipped)
  RtcpReportBlock blocks[kMaxBlocks];
  std::string_view cname;  // first CNAME item, empty if none
  int bye_count = 0;
  std::uint32_t bye_ssrcs[kMaxBye] = {};
};

enum class RtcpParseError {
  kNone,
  kTooShort,     // header or a packet's length runs past the end; fewer than 8 bytes
  kOversized,    // more than 1500 bytes
  kBadVersion,   // a packet with version != 2
  kBadLength,    // report count does not fit the packet length; total not a multiple of 4
  kNotCompound,  // first packet is neither SR nor RR (RFC 3550 A.2)
  kBadSdes,      // an SDES item runs past its chunk
};

const char* to_string(RtcpParseError e);

RtcpParseError parse_rtcp(std::span<const std::uint8_t> data, RtcpCompound& out);

// Builds SR (when `sender` is given) or RR with up to one report block, then SDES with `cname`.
// Returns the size, or 0 when `out` is too small.
std::size_t build_rtcp_report(std::uint32_t ssrc, const RtcpSenderInfo* sender, const RtcpReportBlock* block,
                              std::string_view cname, std::span<std::uint8_t> out);
// Builds RR (empty) + BYE for `ssrc`. Returns the size, or 0 when `out` is too small.
std::size_t build_rtcp_bye(std::uint32_t ssrc, std::span<std::uint8_t> out);

}  // namespace confpro::media
