#include "media/srtp.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "media/rtcp.h"
#include "media/rtp.h"

namespace confpro::media {
namespace {

std::string key(std::uint8_t seed) {
  std::array<std::uint8_t, 30> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(seed + i * 7);
  return make_srtp_key_b64(bytes);
}

// Alice sends with key 1, Bob with key 2: each session's remote key is the other's local key.
struct Pair {
  std::unique_ptr<SrtpSession> alice, bob;
  explicit Pair(const std::string& suite) {
    auto a = SrtpSession::create({suite, key(1), key(2)});
    auto b = SrtpSession::create({suite, key(2), key(1)});
    EXPECT_TRUE(a.ok());
    EXPECT_TRUE(b.ok());
    alice = std::move(*a);
    bob = std::move(*b);
  }
};

std::vector<std::uint8_t> rtp(std::uint16_t seq, std::size_t& len) {
  std::vector<std::uint8_t> buf(1500);
  std::vector<std::uint8_t> payload(160);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i);
  RtpHeader h;
  h.sequence = seq;
  h.timestamp = 160u * seq;
  h.ssrc = 1234;
  len = build_rtp(h, payload, buf);
  return buf;
}

TEST(Srtp, Base64RoundTripsAndRejectsGarbage) {
  std::vector<std::uint8_t> bytes = {0, 1, 2, 250, 251};
  auto text = base64_encode(bytes);
  EXPECT_EQ(text, "AAEC+vs=");
  EXPECT_EQ(base64_decode(text), bytes);
  EXPECT_FALSE(base64_decode("ab$d"));
  EXPECT_EQ(base64_decode("AAEC+vs"), bytes);  // padding is optional
  EXPECT_FALSE(base64_decode("AAEC+vs=x"));    // nothing may follow
  EXPECT_FALSE(base64_decode("A"));            // not a whole byte
}

TEST(Srtp, RtpRoundTripsForBothSuites) {
  for (const char* suite : {"AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"}) {
    Pair p(suite);
    std::size_t len = 0;
    auto buf = rtp(7, len);
    const auto plain = std::vector<std::uint8_t>(buf.begin(), buf.begin() + static_cast<long>(len));
    ASSERT_EQ(p.alice->protect_rtp(buf, len), SrtpResult::kOk);
    EXPECT_EQ(len, plain.size() + (std::string(suite).ends_with("80") ? 10u : 4u));
    EXPECT_NE(std::vector<std::uint8_t>(buf.begin() + 12, buf.begin() + 40),
              std::vector<std::uint8_t>(plain.begin() + 12, plain.begin() + 40));  // payload encrypted
    ASSERT_EQ(p.bob->unprotect_rtp(buf.data(), len), SrtpResult::kOk);
    EXPECT_EQ(std::vector<std::uint8_t>(buf.begin(), buf.begin() + static_cast<long>(len)), plain);
  }
}

TEST(Srtp, ReplayedPacketIsRejected) {
  Pair p("AES_CM_128_HMAC_SHA1_80");
  std::size_t len = 0;
  auto buf = rtp(1, len);
  ASSERT_EQ(p.alice->protect_rtp(buf, len), SrtpResult::kOk);
  auto copy = buf;
  std::size_t len2 = len;
  ASSERT_EQ(p.bob->unprotect_rtp(buf.data(), len), SrtpResult::kOk);
  EXPECT_EQ(p.bob->unprotect_rtp(copy.data(), len2), SrtpResult::kReplay);
}

TEST(Srtp, TamperedOrWronglyKeyedPacketFailsAuthentication) {
  Pair p("AES_CM_128_HMAC_SHA1_80");
  std::size_t len = 0;
  auto buf = rtp(2, len);
  ASSERT_EQ(p.alice->protect_rtp(buf, len), SrtpResult::kOk);
  buf[20] ^= 1;
  EXPECT_EQ(p.bob->unprotect_rtp(buf.data(), len), SrtpResult::kAuthFailed);
  // Alice cannot read her own packets: she holds Bob's key for receiving.
  auto buf2 = rtp(3, len);
  ASSERT_EQ(p.alice->protect_rtp(buf2, len), SrtpResult::kOk);
  EXPECT_EQ(p.alice->unprotect_rtp(buf2.data(), len), SrtpResult::kAuthFailed);
}

TEST(Srtp, RtcpRoundTrips) {
  Pair p("AES_CM_128_HMAC_SHA1_32");
  std::vector<std::uint8_t> buf(512);
  std::size_t len = build_rtcp_bye(99, buf);
  ASSERT_EQ(p.bob->protect_rtcp(buf, len), SrtpResult::kOk);
  ASSERT_EQ(p.alice->unprotect_rtcp(buf.data(), len), SrtpResult::kOk);
  RtcpCompound c;
  ASSERT_EQ(parse_rtcp(std::span(buf).first(len), c), RtcpParseError::kNone);
  EXPECT_EQ(c.bye_ssrcs[0], 99u);
}

TEST(Srtp, BadKeysAndSuitesAreRefused) {
  EXPECT_FALSE(SrtpSession::create({"AES_CM_128_HMAC_SHA1_80", "c2hvcnQ=", key(2)}).ok());
  EXPECT_FALSE(SrtpSession::create({"AEAD_AES_256_GCM", key(1), key(2)}).ok());
  EXPECT_TRUE(SrtpSession::create({"AES_CM_128_HMAC_SHA1_80", key(1) + "|2^31|1:1", key(2)}).ok());
}

}  // namespace
}  // namespace confpro::media
