#include "sip/sdp.h"

#include <gtest/gtest.h>

namespace confpro::sip {
namespace {

constexpr const char* kOffer =
    "v=0\r\n"
    "o=alice 2890844526 2890844527 IN IP4 10.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 10.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:30\r\n"
    "a=sendonly\r\n"
    "m=video 51372 RTP/AVP 31\r\n";

TEST(SdpParse, ReadsOriginStreamsFormatsAndAttributes) {
  auto d = parse_sdp(kOffer);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->origin_username, "alice");
  EXPECT_EQ(d->origin_id, 2890844526u);
  EXPECT_EQ(d->origin_version, 2890844527u);
  ASSERT_EQ(d->streams.size(), 2u);
  const SdpStream& a = d->streams[0];
  EXPECT_EQ(a.media, "audio");
  EXPECT_EQ(a.port, 49170);
  EXPECT_EQ(a.proto, SdpProto::kRtpAvp);
  EXPECT_EQ(a.address, "10.0.0.1");
  EXPECT_EQ(a.ptime_ms, 30);
  EXPECT_EQ(a.direction, media::Direction::kSendOnly);
  ASSERT_EQ(a.formats.size(), 3u);
  EXPECT_EQ(a.formats[0].payload_type, 0);
  EXPECT_EQ(a.formats[0].encoding, "PCMU");
  EXPECT_EQ(a.formats[1].encoding, "PCMA");
  EXPECT_EQ(a.formats[2].encoding, "telephone-event");
  EXPECT_EQ(a.formats[2].fmtp, "0-15");
  EXPECT_EQ(d->streams[1].media, "video");
  EXPECT_EQ(d->streams[1].format_tokens, std::vector<std::string>{"31"});
}

TEST(SdpParse, MediaLevelConnectionOverridesSession) {
  auto d = parse_sdp("v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\n"
                     "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 2.2.2.2\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->streams[0].address, "2.2.2.2");
}

TEST(SdpParse, ReadsOpusChannelsAndFmtp) {
  auto d = parse_sdp("v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\n"
                     "m=audio 4000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n"
                     "a=fmtp:111 minptime=10;useinbandfec=1\r\n");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->streams[0].formats.size(), 1u);
  EXPECT_EQ(d->streams[0].formats[0].encoding, "opus");
  EXPECT_EQ(d->streams[0].formats[0].clock_rate, 48000u);
  EXPECT_EQ(d->streams[0].formats[0].channels, 2);
  EXPECT_EQ(d->streams[0].formats[0].fmtp, "minptime=10;useinbandfec=1");
}

TEST(SdpParse, ReadsSdesCryptoLines) {
  auto d = parse_sdp("v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\n"
                     "m=audio 4000 RTP/SAVP 0\r\n"
                     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"
                     "a=crypto:2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm\r\n");
  ASSERT_TRUE(d.ok());
  const auto& s = d->streams[0];
  EXPECT_EQ(s.proto, SdpProto::kRtpSavp);
  ASSERT_EQ(s.cryptos.size(), 2u);
  EXPECT_EQ(s.cryptos[0].tag, 1);
  EXPECT_EQ(s.cryptos[0].suite, "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(s.cryptos[0].key_b64, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz");
  EXPECT_EQ(s.cryptos[1].suite, "F8_128_HMAC_SHA1_80");
}

TEST(SdpParse, ZeroAddressMeansTheOffererDoesNotReceive) {
  auto d = parse_sdp("v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
                     "m=audio 4000 RTP/AVP 0\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->streams[0].address, "0.0.0.0");
  EXPECT_NE(d->streams[0].direction, media::Direction::kSendRecv);
}

TEST(SdpParse, GarbageIsAnError) {
  EXPECT_FALSE(parse_sdp("").ok());
  EXPECT_FALSE(parse_sdp("hello world").ok());
  EXPECT_FALSE(parse_sdp("v=0\r\n").ok());
  EXPECT_FALSE(parse_sdp(std::string("v=0\r\no=\0\0\r\n", 12)).ok());
}

// sofia-sip 1.12's sdp_parse never returns on these (found by src/sip/fuzz); they must be refused before it.
TEST(SdpParse, MediaLinesThatHangSofiaAreRejected) {
  const std::string head = "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\n";
  for (const char* m : {"m=audio 4000 RTP /AVP 0\r\n", "m=audio 4000 A / 0\r\n", "m=audio 4000 A  /B 0\r\n",
                        "m=audio 4000 A\t/B 0\r\n"}) {
    EXPECT_FALSE(parse_sdp(head + m).ok()) << m;
  }
}

TEST(SdpParse, OrdinaryMediaLineVariantsStillParse) {
  const std::string head = "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\n";
  for (const char* m : {"m=audio 4000 RTP/AVP 0 8\r\n", "m=audio 4000/2 RTP/AVP 0\r\n", "m=audio 4000 RTP/AVP 0 \r\n",
                        "m=audio 4000 UDP/TLS/RTP/SAVPF 111\n", "m=image 5000 udptl t38\r\n"}) {
    EXPECT_TRUE(parse_sdp(head + m).ok()) << m;
  }
}

TEST(SdpParse, AudioWithoutAnyConnectionAddressIsAnError) {
  auto d = parse_sdp("v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
  EXPECT_FALSE(d.ok());
}

}  // namespace
}  // namespace confpro::sip
