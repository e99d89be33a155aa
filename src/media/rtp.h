// RTP packets (RFC 3550 section 5): strict, bounds-checked parsing into a view over the caller's buffer, and
// building into a caller-provided buffer. Nothing here allocates, so it runs per packet on a media worker.
// Thread safety: pure functions over caller-owned memory; callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace confpro::media {

inline constexpr std::size_t kRtpHeaderSize = 12;
inline constexpr std::size_t kMaxRtpPacket = 1500;  // larger datagrams are refused as oversized

struct RtpHeader {
  bool padding = false;
  bool extension = false;
  bool marker = false;
  std::uint8_t csrc_count = 0;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::uint32_t csrcs[15] = {};
  std::uint16_t extension_profile = 0;  // valid when extension
};

// A parsed packet: header fields plus views into the original buffer (valid while the buffer lives).
struct RtpPacketView {
  RtpHeader header;
  std::span<const std::uint8_t> extension_data;  // the extension's words, without its 4-byte header
  std::span<const std::uint8_t> payload;         // without padding
};

enum class RtpParseError {
  kNone,
  kTooShort,      // fewer than 12 bytes, or CSRC list/extension runs past the end
  kOversized,     // more than kMaxRtpPacket bytes
  kBadVersion,    // version != 2
  kBadPadding,    // padding count 0 or larger than what remains after the header
  kLooksLikeRtcp  // payload type 72..76 with marker (RTCP SR/RR/SDES/BYE/APP multiplexed, RFC 5761)
};

const char* to_string(RtpParseError e);

// Parses `data` into `out`. On an error `out` is unspecified.
RtpParseError parse_rtp(std::span<const std::uint8_t> data, RtpPacketView& out);

// True when the second byte says RTCP (packet type 192..223, RFC 5761 section 4): used to demultiplex.
bool is_rtcp(std::span<const std::uint8_t> data);

// Writes a 12-byte header (no CSRC, no extension, no padding) plus `payload` into `out`.
// Returns the packet size, or 0 when `out` is too small.
std::size_t build_rtp(const RtpHeader& header, std::span<const std::uint8_t> payload, std::span<std::uint8_t> out);

// Big-endian helpers shared by RTP/RTCP code.
inline std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
inline void store_be16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace confpro::media
