// RTCP compound parse/build (rtcp.h).
#include "media/rtcp.h"

#include <cstring>

#include "media/rtp.h"

namespace confpro::media {
namespace {

constexpr std::uint8_t kSr = 200, kRr = 201, kSdes = 202, kBye = 203;

RtcpReportBlock read_block(const std::uint8_t* p) {
  RtcpReportBlock b;
  b.ssrc = load_be32(p);
  b.fraction_lost = p[4];
  std::uint32_t lost = (std::uint32_t{p[5]} << 16) | (std::uint32_t{p[6]} << 8) | p[7];
  if (lost & 0x800000) lost |= 0xff000000u;
  b.cumulative_lost = static_cast<std::int32_t>(lost);
  b.highest_seq = load_be32(p + 8);
  b.jitter = load_be32(p + 12);
  b.lsr = load_be32(p + 16);
  b.dlsr = load_be32(p + 20);
  return b;
}

void write_block(std::uint8_t* p, const RtcpReportBlock& b) {
  store_be32(p, b.ssrc);
  p[4] = b.fraction_lost;
  const auto lost = static_cast<std::uint32_t>(b.cumulative_lost) & 0xffffff;
  p[5] = static_cast<std::uint8_t>(lost >> 16);
  p[6] = static_cast<std::uint8_t>(lost >> 8);
  p[7] = static_cast<std::uint8_t>(lost);
  store_be32(p + 8, b.highest_seq);
  store_be32(p + 12, b.jitter);
  store_be32(p + 16, b.lsr);
  store_be32(p + 20, b.dlsr);
}

void keep_blocks(const std::uint8_t* p, int count, RtcpCompound& out) {
  for (int i = 0; i < count && out.block_count < RtcpCompound::kMaxBlocks; ++i)
    out.blocks[out.block_count++] = read_block(p + 24 * i);
}

// SDES: chunks of SSRC + items, each chunk ended by a zero byte and padded to 4.
RtcpParseError parse_sdes(const std::uint8_t* p, std::size_t len, int chunks, RtcpCompound& out) {
  std::size_t off = 0;
  for (int c = 0; c < chunks; ++c) {
    if (off + 4 > len) return RtcpParseError::kBadSdes;
    off += 4;
    for (;;) {
      if (off >= len) return RtcpParseError::kBadSdes;
      const std::uint8_t type = p[off];
      if (type == 0) {
        off = (off + 4) & ~std::size_t{3};  // skip the terminator and pad to the next word
        break;
      }
      if (off + 2 > len) return RtcpParseError::kBadSdes;
      const std::size_t item_len = p[off + 1];
      if (off + 2 + item_len > len) return RtcpParseError::kBadSdes;
      if (type == 1 && out.cname.empty())
        out.cname = std::string_view(reinterpret_cast<const char*>(p + off + 2), item_len);
      off += 2 + item_len;
    }
  }
  return RtcpParseError::kNone;
}

}  // namespace

const char* to_string(RtcpParseError e) {
  switch (e) {
    case RtcpParseError::kNone: return "ok";
    case RtcpParseError::kTooShort: return "too short";
    case RtcpParseError::kOversized: return "oversized";
    case RtcpParseError::kBadVersion: return "bad version";
    case RtcpParseError::kBadLength: return "bad length";
    case RtcpParseError::kNotCompound: return "not a compound packet";
    case RtcpParseError::kBadSdes: return "bad sdes";
  }
  return "?";
}

RtcpParseError parse_rtcp(std::span<const std::uint8_t> data, RtcpCompound& out) {
  out = RtcpCompound{};
  const std::size_t n = data.size();
  if (n > 1500) return RtcpParseError::kOversized;
  if (n < 8) return RtcpParseError::kTooShort;
  if (n % 4 != 0) return RtcpParseError::kBadLength;
  std::size_t off = 0;
  bool first = true;
  while (off < n) {
    if (off + 4 > n) return RtcpParseError::kTooShort;
    const std::uint8_t* p = data.data() + off;
    if ((p[0] >> 6) != 2) return RtcpParseError::kBadVersion;
    const int count = p[0] & 0x1f;
    const std::uint8_t type = p[1];
    const std::size_t len = (std::size_t{load_be16(p + 2)} + 1) * 4;
    if (off + len > n) return RtcpParseError::kTooShort;
    if (first && type != kSr && type != kRr) return RtcpParseError::kNotCompound;
    first = false;
    // Padding (only legal on the last packet) is covered by the length; we read only what counts say.
    const std::uint8_t* body = p + 4;
    const std::size_t body_len = len - 4;
    switch (type) {
      case kSr:
        if (body_len < 24 + 24 * std::size_t(count)) return RtcpParseError::kBadLength;
        out.has_sr = true;
        out.sender_ssrc = load_be32(body);
        out.sender.ntp = (std::uint64_t{load_be32(body + 4)} << 32) | load_be32(body + 8);
        out.sender.rtp_timestamp = load_be32(body + 12);
        out.sender.packet_count = load_be32(body + 16);
        out.sender.octet_count = load_be32(body + 20);
        keep_blocks(body + 24, count, out);
        break;
      case kRr:
        if (body_len < 4 + 24 * std::size_t(count)) return RtcpParseError::kBadLength;
        out.sender_ssrc = load_be32(body);
        keep_blocks(body + 4, count, out);
        break;
      case kSdes: {
        const auto e = parse_sdes(body, body_len, count, out);
        if (e != RtcpParseError::kNone) return e;
        break;
      }
      case kBye:
        if (body_len < 4 * std::size_t(count)) return RtcpParseError::kBadLength;
        for (int i = 0; i < count && out.bye_count < RtcpCompound::kMaxBye; ++i)
          out.bye_ssrcs[out.bye_count++] = load_be32(body + 4 * i);
        break;
      default:
        break;  // APP, XR, RTPFB/PSFB: skipped
    }
    off += len;
  }
  return RtcpParseError::kNone;
}

std::size_t build_rtcp_report(std::uint32_t ssrc, const RtcpSenderInfo* sender, const RtcpReportBlock* block,
                              std::string_view cname, std::span<std::uint8_t> out) {
  if (cname.size() > 255) cname = cname.substr(0, 255);
  const std::size_t report_len = 8 + (sender ? 20 : 0) + (block ? 24 : 0);
  const std::size_t sdes_len = (4 + 4 + 2 + cname.size() + 1 + 3) & ~std::size_t{3};
  if (out.size() < report_len + sdes_len) return 0;
  std::uint8_t* p = out.data();
  std::memset(p, 0, report_len + sdes_len);
  p[0] = static_cast<std::uint8_t>(0x80 | (block ? 1 : 0));
  p[1] = sender ? kSr : kRr;
  store_be16(p + 2, static_cast<std::uint16_t>(report_len / 4 - 1));
  store_be32(p + 4, ssrc);
  std::size_t off = 8;
  if (sender) {
    store_be32(p + 8, static_cast<std::uint32_t>(sender->ntp >> 32));
    store_be32(p + 12, static_cast<std::uint32_t>(sender->ntp));
    store_be32(p + 16, sender->rtp_timestamp);
    store_be32(p + 20, sender->packet_count);
    store_be32(p + 24, sender->octet_count);
    off = 28;
  }
  if (block) write_block(p + off, *block);
  std::uint8_t* s = p + report_len;
  s[0] = 0x81;
  s[1] = kSdes;
  store_be16(s + 2, static_cast<std::uint16_t>(sdes_len / 4 - 1));
  store_be32(s + 4, ssrc);
  s[8] = 1;
  s[9] = static_cast<std::uint8_t>(cname.size());
  if (!cname.empty()) std::memcpy(s + 10, cname.data(), cname.size());
  return report_len + sdes_len;
}

std::size_t build_rtcp_bye(std::uint32_t ssrc, std::span<std::uint8_t> out) {
  if (out.size() < 16) return 0;
  std::uint8_t* p = out.data();
  p[0] = 0x80;
  p[1] = kRr;
  store_be16(p + 2, 1);
  store_be32(p + 4, ssrc);
  p[8] = 0x81;
  p[9] = kBye;
  store_be16(p + 10, 1);
  store_be32(p + 12, ssrc);
  return 16;
}

}  // namespace confpro::media
