#include "sip/sdp_negotiate.h"

#include <gtest/gtest.h>

namespace confpro::sip {
namespace {

std::string offer(const std::string& media_lines, const std::string& conn = "10.0.0.1") {
  return "v=0\r\no=peer 42 7 IN IP4 " + conn + "\r\ns=-\r\nc=IN IP4 " + conn + "\r\nt=0 0\r\n" + media_lines;
}

Negotiated must_negotiate(const std::string& text, const NegotiationPolicy& policy = {}) {
  auto d = parse_sdp(text);
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message);
  auto n = negotiate_offer(*d, policy);
  EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
  return n.ok() ? *n : Negotiated{};
}

TEST(SdpNegotiate, PcmuOnlyOfferSelectsPcmu) {
  auto n = must_negotiate(offer("m=audio 4000 RTP/AVP 0\r\n"));
  EXPECT_EQ(n.codec.kind, media::CodecKind::kPcmu);
  EXPECT_EQ(n.codec.payload_type, 0);
  EXPECT_EQ(n.codec.clock_rate, 8000);
  EXPECT_EQ(n.codec.telephone_event_pt, -1);
  EXPECT_EQ(n.remote_ip, "10.0.0.1");
  EXPECT_EQ(n.remote_port, 4000);
  EXPECT_EQ(n.direction, media::Direction::kSendRecv);
}

TEST(SdpNegotiate, OurPreferenceWinsOverTheOfferOrder) {
  NegotiationPolicy p;
  p.codecs = {media::CodecKind::kG722, media::CodecKind::kPcmu};
  auto n = must_negotiate(offer("m=audio 4000 RTP/AVP 0 8 9\r\n"), p);
  EXPECT_EQ(n.codec.kind, media::CodecKind::kG722);
  EXPECT_EQ(n.codec.payload_type, 9);
  EXPECT_EQ(n.codec.clock_rate, 8000);
}

TEST(SdpNegotiate, OpusUsesTheOfferersDynamicPayloadType) {
  NegotiationPolicy p;
  p.codecs = {media::CodecKind::kOpus, media::CodecKind::kPcmu};
  auto n = must_negotiate(offer("m=audio 4000 RTP/AVP 0 96 97\r\na=rtpmap:96 opus/48000/2\r\n"
                                "a=fmtp:96 useinbandfec=1\r\na=rtpmap:97 telephone-event/48000\r\n"),
                          p);
  EXPECT_EQ(n.codec.kind, media::CodecKind::kOpus);
  EXPECT_EQ(n.codec.payload_type, 96);
  EXPECT_EQ(n.codec.clock_rate, 48000);
  EXPECT_EQ(n.codec.telephone_event_pt, 97);
}

TEST(SdpNegotiate, TelephoneEventIsKeptInTheAnswer) {
  auto d = parse_sdp(offer("m=audio 4000 RTP/AVP 8 100\r\na=rtpmap:100 telephone-event/8000\r\n"));
  ASSERT_TRUE(d.ok());
  auto n = negotiate_offer(*d, {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->codec.telephone_event_pt, 100);
  std::string answer = build_answer(*d, *n, LocalSdp{"192.0.2.10", 20000, 555, 1, ""});
  EXPECT_NE(answer.find("m=audio 20000 RTP/AVP 8 100\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("a=rtpmap:100 telephone-event/8000\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("o=- 555 1 IN IP4 192.0.2.10\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("c=IN IP4 192.0.2.10\r\n"), std::string::npos) << answer;
  auto reparsed = parse_sdp(answer);
  EXPECT_TRUE(reparsed.ok());
}

TEST(SdpNegotiate, SdesCryptoIsChosenWhenAllowed) {
  const std::string text = offer(
      "m=audio 4000 RTP/SAVP 0\r\n"
      "a=crypto:1 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm\r\n"
      "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n");
  auto d = parse_sdp(text);
  ASSERT_TRUE(d.ok());
  auto n = negotiate_offer(*d, {});
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(n->remote_crypto.has_value());
  EXPECT_EQ(n->remote_crypto->tag, 2);
  EXPECT_EQ(n->remote_crypto->key_b64, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz");
  const std::string key = make_srtp_key();
  EXPECT_EQ(key.size(), 40u);
  std::string answer = build_answer(*d, *n, LocalSdp{"127.0.0.1", 20000, 1, 1, key});
  EXPECT_NE(answer.find("RTP/SAVP 0"), std::string::npos) << answer;
  EXPECT_NE(answer.find("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + key), std::string::npos) << answer;
}

TEST(SdpNegotiate, SrtpOfferIsRefusedWhenPolicyIsOff) {
  auto d = parse_sdp(offer("m=audio 4000 RTP/SAVP 0\r\n"
                           "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"));
  ASSERT_TRUE(d.ok());
  NegotiationPolicy p;
  p.srtp = SrtpPolicy::kOff;
  EXPECT_FALSE(negotiate_offer(*d, p).ok());
}

TEST(SdpNegotiate, PlainOfferIsRefusedWhenSrtpIsRequired) {
  auto d = parse_sdp(offer("m=audio 4000 RTP/AVP 0\r\n"));
  ASSERT_TRUE(d.ok());
  NegotiationPolicy p;
  p.srtp = SrtpPolicy::kRequired;
  auto n = negotiate_offer(*d, p);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, ErrorCode::kFailedPrecondition);
}

TEST(SdpNegotiate, HoldSendonlyIsAnsweredRecvonly) {
  auto d = parse_sdp(offer("m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n"));
  ASSERT_TRUE(d.ok());
  auto n = negotiate_offer(*d, {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->direction, media::Direction::kRecvOnly);
  EXPECT_NE(build_answer(*d, *n, LocalSdp{"127.0.0.1", 1, 1, 1, ""}).find("a=recvonly\r\n"), std::string::npos);
}

TEST(SdpNegotiate, InactiveStaysInactive) {
  auto n = must_negotiate(offer("m=audio 4000 RTP/AVP 0\r\na=inactive\r\n"));
  EXPECT_EQ(n.direction, media::Direction::kInactive);
}

TEST(SdpNegotiate, RecvonlyIsAnsweredSendonly) {
  auto n = must_negotiate(offer("m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n"));
  EXPECT_EQ(n.direction, media::Direction::kSendOnly);
}

TEST(SdpNegotiate, PortZeroStreamIsSkippedAndEchoedRejected) {
  auto d = parse_sdp(offer("m=audio 0 RTP/AVP 0\r\nm=audio 5000 RTP/AVP 8\r\nm=video 6000 RTP/AVP 31\r\n"));
  ASSERT_TRUE(d.ok());
  auto n = negotiate_offer(*d, {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->stream_index, 1u);
  EXPECT_EQ(n->codec.kind, media::CodecKind::kPcma);
  std::string answer = build_answer(*d, *n, LocalSdp{"127.0.0.1", 20000, 1, 1, ""});
  auto first = answer.find("m=audio 0 RTP/AVP 0\r\n");
  auto second = answer.find("m=audio 20000 RTP/AVP 8\r\n");
  auto third = answer.find("m=video 0 RTP/AVP 31\r\n");
  EXPECT_NE(first, std::string::npos) << answer;
  EXPECT_NE(second, std::string::npos) << answer;
  EXPECT_NE(third, std::string::npos) << answer;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST(SdpNegotiate, OnlyPortZeroAudioHasNoUsableStream) {
  auto d = parse_sdp(offer("m=audio 0 RTP/AVP 0\r\n"));
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(negotiate_offer(*d, {}).ok());
}

TEST(SdpNegotiate, NoCommonCodecIsFailedPrecondition) {
  auto d = parse_sdp(offer("m=audio 4000 RTP/AVP 18 3\r\n"));
  ASSERT_TRUE(d.ok());
  auto n = negotiate_offer(*d, {});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, ErrorCode::kFailedPrecondition);
}

TEST(SdpNegotiate, UnusablePtimeFallsBackToPolicy) {
  EXPECT_EQ(must_negotiate(offer("m=audio 4000 RTP/AVP 0\r\na=ptime:7\r\n")).codec.ptime_ms, 20);
  EXPECT_EQ(must_negotiate(offer("m=audio 4000 RTP/AVP 0\r\na=ptime:40\r\n")).codec.ptime_ms, 40);
}

TEST(SdpNegotiate, OfferListsPreferredCodecsAndTelephoneEvent) {
  NegotiationPolicy p;
  p.codecs = {media::CodecKind::kOpus, media::CodecKind::kPcma};
  std::string text = build_offer(p, LocalSdp{"127.0.0.1", 20002, 9, 1, ""});
  EXPECT_NE(text.find("m=audio 20002 RTP/AVP 111 8 101\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("a=rtpmap:111 opus/48000/2\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("a=rtpmap:101 telephone-event/8000\r\n"), std::string::npos) << text;
  EXPECT_TRUE(parse_sdp(text).ok());
}

TEST(SdpNegotiate, AnswerCodecIsThePeersFirstChoice) {
  auto d = parse_sdp(offer("m=audio 7000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"));
  ASSERT_TRUE(d.ok());
  auto n = read_answer(*d, {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->codec.kind, media::CodecKind::kPcma);
  EXPECT_EQ(n->codec.telephone_event_pt, 101);
  EXPECT_EQ(n->remote_port, 7000);
}

TEST(SdpNegotiate, CodecNamesParseCaseInsensitivelyAndRejectUnknown) {
  auto ok = parse_codec_list({"pcma", "OPUS", "G722"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[0], media::CodecKind::kPcma);
  EXPECT_FALSE(parse_codec_list({"GSM"}).ok());
  EXPECT_FALSE(parse_codec_list({}).ok());
}

}  // namespace
}  // namespace confpro::sip
