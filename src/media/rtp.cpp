// RTP parse/build (rtp.h).
#include "media/rtp.h"

#include <cstring>

namespace confpro::media {

const char* to_string(RtpParseError e) {
  switch (e) {
    case RtpParseError::kNone: return "ok";
    case RtpParseError::kTooShort: return "too short";
    case RtpParseError::kOversized: return "oversized";
    case RtpParseError::kBadVersion: return "bad version";
    case RtpParseError::kBadPadding: return "bad padding";
    case RtpParseError::kLooksLikeRtcp: return "rtcp";
  }
  return "?";
}

bool is_rtcp(std::span<const std::uint8_t> data) {
  return data.size() >= 2 && data[1] >= 192 && data[1] <= 223;
}

RtpParseError parse_rtp(std::span<const std::uint8_t> data, RtpPacketView& out) {
  const std::size_t n = data.size();
  if (n > kMaxRtpPacket) return RtpParseError::kOversized;
  if (n < kRtpHeaderSize) return RtpParseError::kTooShort;
  const std::uint8_t* p = data.data();
  if ((p[0] >> 6) != 2) return RtpParseError::kBadVersion;
  if (is_rtcp(data)) return RtpParseError::kLooksLikeRtcp;
  RtpHeader& h = out.header;
  h.padding = (p[0] & 0x20) != 0;
  h.extension = (p[0] & 0x10) != 0;
  h.csrc_count = p[0] & 0x0f;
  h.marker = (p[1] & 0x80) != 0;
  h.payload_type = p[1] & 0x7f;
  h.sequence = load_be16(p + 2);
  h.timestamp = load_be32(p + 4);
  h.ssrc = load_be32(p + 8);
  std::size_t off = kRtpHeaderSize + std::size_t{h.csrc_count} * 4;
  if (off > n) return RtpParseError::kTooShort;
  for (int i = 0; i < h.csrc_count; ++i) h.csrcs[i] = load_be32(p + kRtpHeaderSize + 4 * i);
  out.extension_data = {};
  h.extension_profile = 0;
  if (h.extension) {
    if (off + 4 > n) return RtpParseError::kTooShort;
    h.extension_profile = load_be16(p + off);
    const std::size_t words = load_be16(p + off + 2);
    if (off + 4 + words * 4 > n) return RtpParseError::kTooShort;
    out.extension_data = data.subspan(off + 4, words * 4);
    off += 4 + words * 4;
  }
  std::size_t end = n;
  if (h.padding) {
    const std::size_t pad = p[n - 1];
    if (pad == 0 || pad > n - off) return RtpParseError::kBadPadding;
    end = n - pad;
  }
  out.payload = data.subspan(off, end - off);
  return RtpParseError::kNone;
}

std::size_t build_rtp(const RtpHeader& h, std::span<const std::uint8_t> payload, std::span<std::uint8_t> out) {
  const std::size_t total = kRtpHeaderSize + payload.size();
  if (out.size() < total) return 0;
  std::uint8_t* p = out.data();
  p[0] = 0x80;
  p[1] = static_cast<std::uint8_t>((h.marker ? 0x80 : 0) | (h.payload_type & 0x7f));
  store_be16(p + 2, h.sequence);
  store_be32(p + 4, h.timestamp);
  store_be32(p + 8, h.ssrc);
  if (!payload.empty()) std::memcpy(p + kRtpHeaderSize, payload.data(), payload.size());
  return total;
}

}  // namespace confpro::media
