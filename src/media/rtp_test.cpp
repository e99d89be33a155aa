#include "media/rtp.h"

#include <gtest/gtest.h>

#include <vector>

#include "media/rtcp.h"
#include "media/rtp_stats.h"

namespace confpro::media {
namespace {

std::vector<std::uint8_t> packet(std::uint16_t seq, std::uint32_t ts, std::size_t payload_len = 160) {
  std::vector<std::uint8_t> payload(payload_len, 0xd5);
  std::vector<std::uint8_t> out(kRtpHeaderSize + payload_len);
  RtpHeader h;
  h.payload_type = 8;
  h.sequence = seq;
  h.timestamp = ts;
  h.ssrc = 0x11223344;
  h.marker = true;
  EXPECT_EQ(build_rtp(h, payload, out), out.size());
  return out;
}

TEST(Rtp, BuiltPacketParsesBackWithTheSameFields) {
  auto p = packet(65535, 0xfffffff0u);
  RtpPacketView v;
  ASSERT_EQ(parse_rtp(p, v), RtpParseError::kNone);
  EXPECT_EQ(v.header.sequence, 65535);
  EXPECT_EQ(v.header.timestamp, 0xfffffff0u);
  EXPECT_EQ(v.header.ssrc, 0x11223344u);
  EXPECT_EQ(v.header.payload_type, 8);
  EXPECT_TRUE(v.header.marker);
  EXPECT_EQ(v.payload.size(), 160u);
}

TEST(Rtp, CsrcExtensionAndPaddingAreSkippedToFindThePayload) {
  std::vector<std::uint8_t> p = {0xb2, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,  // V=2 P X CC=2
                                 0, 0, 0, 9, 0, 0, 0, 10,                  // CSRCs
                                 0xbe, 0xde, 0, 1, 1, 2, 3, 4,             // extension, 1 word
                                 0xaa, 0xbb, 0, 0, 3};                      // payload aa bb + 3 padding
  RtpPacketView v;
  ASSERT_EQ(parse_rtp(p, v), RtpParseError::kNone);
  EXPECT_EQ(v.header.csrc_count, 2);
  EXPECT_EQ(v.header.csrcs[1], 10u);
  EXPECT_EQ(v.header.extension_profile, 0xbede);
  EXPECT_EQ(v.extension_data.size(), 4u);
  ASSERT_EQ(v.payload.size(), 2u);
  EXPECT_EQ(v.payload[0], 0xaa);
}

TEST(Rtp, TruncatedOrGarbagePacketsAreRefused) {
  RtpPacketView v;
  auto p = packet(1, 1);
  EXPECT_EQ(parse_rtp(std::span(p).first(11), v), RtpParseError::kTooShort);
  p[0] = 0x40;
  EXPECT_EQ(parse_rtp(p, v), RtpParseError::kBadVersion);
  p[0] = 0x8f;  // 15 CSRCs in a 172-byte packet is fine, in 40 bytes it is not
  EXPECT_EQ(parse_rtp(std::span(p).first(40), v), RtpParseError::kTooShort);
  p[0] = 0x90;  // extension claiming 0xffff words
  p[12] = 0; p[13] = 0; p[14] = 0xff; p[15] = 0xff;
  EXPECT_EQ(parse_rtp(p, v), RtpParseError::kTooShort);
  p = packet(1, 1);
  p[0] = 0xa0;  // padding
  p.back() = 0;
  EXPECT_EQ(parse_rtp(p, v), RtpParseError::kBadPadding);
  p.back() = 200;
  EXPECT_EQ(parse_rtp(p, v), RtpParseError::kBadPadding);
  std::vector<std::uint8_t> big(1600, 0x80);
  EXPECT_EQ(parse_rtp(big, v), RtpParseError::kOversized);
}

TEST(Rtp, RtcpIsRecognisedAndNotTakenForRtp) {
  std::vector<std::uint8_t> rr(64);
  auto n = build_rtcp_report(5, nullptr, nullptr, "x", rr);
  ASSERT_GT(n, 0u);
  EXPECT_TRUE(is_rtcp(rr));
  RtpPacketView v;
  EXPECT_EQ(parse_rtp(std::span(rr).first(n), v), RtpParseError::kLooksLikeRtcp);
}

TEST(Rtcp, SenderReportWithBlockAndCnameRoundTrips) {
  RtcpSenderInfo si{0x0102030405060708ull, 1234, 50, 8000};
  RtcpReportBlock b;
  b.ssrc = 77;
  b.fraction_lost = 12;
  b.cumulative_lost = -3;
  b.highest_seq = 70000;
  b.jitter = 33;
  b.lsr = 0xabcd;
  b.dlsr = 0x10000;
  std::vector<std::uint8_t> buf(200);
  auto n = build_rtcp_report(99, &si, &b, "alice@host", buf);
  ASSERT_GT(n, 0u);
  RtcpCompound c;
  ASSERT_EQ(parse_rtcp(std::span(buf).first(n), c), RtcpParseError::kNone);
  EXPECT_TRUE(c.has_sr);
  EXPECT_EQ(c.sender_ssrc, 99u);
  EXPECT_EQ(c.sender.ntp, si.ntp);
  EXPECT_EQ(c.sender.packet_count, 50u);
  ASSERT_EQ(c.block_count, 1);
  EXPECT_EQ(c.blocks[0].ssrc, 77u);
  EXPECT_EQ(c.blocks[0].cumulative_lost, -3);
  EXPECT_EQ(c.blocks[0].highest_seq, 70000u);
  EXPECT_EQ(c.blocks[0].lsr, 0xabcdu);
  EXPECT_EQ(c.cname, "alice@host");
}

TEST(Rtcp, ByeIsParsed) {
  std::vector<std::uint8_t> buf(32);
  auto n = build_rtcp_bye(42, buf);
  RtcpCompound c;
  ASSERT_EQ(parse_rtcp(std::span(buf).first(n), c), RtcpParseError::kNone);
  ASSERT_EQ(c.bye_count, 1);
  EXPECT_EQ(c.bye_ssrcs[0], 42u);
}

TEST(Rtcp, MalformedCompoundsAreRefused) {
  std::vector<std::uint8_t> buf(200);
  auto n = build_rtcp_report(1, nullptr, nullptr, "abc", buf);
  std::span<const std::uint8_t> ok(buf.data(), n);
  RtcpCompound c;
  EXPECT_EQ(parse_rtcp(ok.first(4), c), RtcpParseError::kTooShort);
  EXPECT_EQ(parse_rtcp(ok.first(n - 4), c), RtcpParseError::kTooShort);  // SDES length runs past the end
  EXPECT_EQ(parse_rtcp(ok.first(n - 1), c), RtcpParseError::kBadLength);
  auto bad = std::vector<std::uint8_t>(ok.begin(), ok.end());
  bad[0] = 0x9f;  // RR claiming 31 blocks in 8 bytes
  EXPECT_EQ(parse_rtcp(bad, c), RtcpParseError::kBadLength);
  bad = std::vector<std::uint8_t>(ok.begin(), ok.end());
  bad[1] = 202;  // starts with SDES
  EXPECT_EQ(parse_rtcp(bad, c), RtcpParseError::kNotCompound);
  bad = std::vector<std::uint8_t>(ok.begin(), ok.end());
  bad[8 + 9] = 200;  // CNAME length beyond its chunk
  EXPECT_EQ(parse_rtcp(bad, c), RtcpParseError::kBadSdes);
}

TEST(RtpStats, CountsLossAcrossSequenceWrap) {
  RtpReceiveStats s(8000);
  std::uint32_t ts = 0, arrival = 1000;
  for (std::uint32_t i = 0; i < 200; ++i) {
    const auto seq = static_cast<std::uint16_t>(65500 + i);
    if (i % 10 == 5) continue;  // every 10th packet lost
    s.on_packet(1, seq, ts + 160 * i, arrival + 160 * i);
  }
  EXPECT_EQ(s.expected(), 200 - 1);  // last packet (i=199) is the highest; the first is the base
  EXPECT_EQ(s.lost(), 20);
  EXPECT_EQ(s.extended_max(), 65536u + static_cast<std::uint16_t>(65500 + 199));
  EXPECT_NEAR(s.jitter_ms(), 0.0, 0.01);
  auto block = s.make_report_block(0, 0);
  EXPECT_NEAR(block.fraction_lost / 256.0, 0.1, 0.01);
}

TEST(RtpStats, JitterFollowsArrivalVariation) {
  RtpReceiveStats s(8000);
  for (std::uint32_t i = 0; i < 500; ++i) {
    const std::uint32_t jitter = (i % 2) ? 80 : 0;  // arrivals alternate +-10 ms
    s.on_packet(1, static_cast<std::uint16_t>(i), 160 * i, 160 * i + jitter);
  }
  EXPECT_NEAR(s.jitter_ms(), 10.0, 1.0);  // |D| = 80 units = 10 ms each time
}

TEST(RtpStats, WildJumpIsDroppedUntilConfirmedThenRestarts) {
  RtpReceiveStats s;
  for (std::uint16_t i = 0; i < 10; ++i) s.on_packet(1, i, 160u * i, 160u * i);
  EXPECT_EQ(s.on_packet(1, 30000, 0, 0), SeqVerdict::kBadJump);
  EXPECT_EQ(s.on_packet(1, 30001, 160, 160), SeqVerdict::kAccept);  // confirmed: restart
  EXPECT_EQ(s.expected(), 1);
  EXPECT_EQ(s.lost(), 0);
}

TEST(RtpStats, SsrcChangeRestartsTheStream) {
  RtpReceiveStats s;
  for (std::uint16_t i = 0; i < 10; ++i) s.on_packet(1, i, 160u * i, 160u * i);
  EXPECT_EQ(s.on_packet(2, 5000, 0, 0), SeqVerdict::kProbation);
  EXPECT_EQ(s.ssrc_changes(), 1);
  EXPECT_EQ(s.on_packet(2, 5001, 160, 160), SeqVerdict::kAccept);
  EXPECT_EQ(s.ssrc(), 2u);
  EXPECT_EQ(s.lost(), 0);
}

TEST(RtpStats, RoundTripTimeFromLsrAndDlsr) {
  RtcpReportBlock b;
  b.lsr = 0x00010000;   // 1 s
  b.dlsr = 0x00008000;  // 0.5 s held by the peer
  EXPECT_NEAR(rtt_ms_from_block(b, 0x00018000 + 0x0CCD), 50.0, 0.1);  // now = 1.55 s
  b.lsr = 0;
  EXPECT_LT(rtt_ms_from_block(b, 12345), 0);
}

}  // namespace
}  // namespace confpro::media
