// libFuzzer target for the RTP and RTCP parsers (and the receive statistics they feed): any input must parse or
// be refused without reading out of bounds, and what parses must round-trip through build_rtp.
// Build: CXX=clang++ cmake -DCONFPRO_FUZZ=ON ...; run: rtp_rtcp_fuzz -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "media/rtcp.h"
#include "media/rtp.h"
#include "media/rtp_stats.h"

using namespace confpro::media;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static RtpReceiveStats stats(8000);
  static std::uint32_t arrival = 0;
  const std::span<const std::uint8_t> in(data, size);
  (void)is_rtcp(in);
  RtpPacketView v;
  if (parse_rtp(in, v) == RtpParseError::kNone) {
    if (v.payload.data() < data || v.payload.data() + v.payload.size() > data + size) __builtin_trap();
    (void)stats.on_packet(v.header.ssrc, v.header.sequence, v.header.timestamp, arrival += 160);
    (void)stats.make_report_block(0, 0);
    std::vector<std::uint8_t> out(kRtpHeaderSize + v.payload.size());
    if (build_rtp(v.header, v.payload, out) != out.size()) __builtin_trap();
    RtpPacketView again;
    if (parse_rtp(out, again) != RtpParseError::kNone) __builtin_trap();
    if (again.header.sequence != v.header.sequence || again.header.ssrc != v.header.ssrc ||
        again.payload.size() != v.payload.size() ||
        (!v.payload.empty() && std::memcmp(again.payload.data(), v.payload.data(), v.payload.size()) != 0))
      __builtin_trap();
  }
  RtcpCompound c;
  if (parse_rtcp(in, c) == RtcpParseError::kNone) {
    if (!c.cname.empty() && (reinterpret_cast<const std::uint8_t*>(c.cname.data()) < data ||
                             reinterpret_cast<const std::uint8_t*>(c.cname.data()) + c.cname.size() > data + size))
      __builtin_trap();
    for (int i = 0; i < c.block_count; ++i) (void)rtt_ms_from_block(c.blocks[i], 12345);
    std::uint8_t buf[600];
    (void)build_rtcp_report(c.sender_ssrc, c.has_sr ? &c.sender : nullptr, c.block_count ? &c.blocks[0] : nullptr,
                            c.cname, buf);
  }
  return 0;
}
