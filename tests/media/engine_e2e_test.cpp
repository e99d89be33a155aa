// The media engine end to end: real UDP on 127.0.0.1, test phones speaking G.711, G.722 and Opus through a room.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "media/media_engine.h"
#include "media/rtcp.h"
#include "media/rtp.h"
#include "media/rtp_stats.h"
#include "media/socket.h"
#include "media/tone.h"
#include "engine_fixture.h"
#include "phone.h"

namespace confpro::media::test {
namespace {

TEST_F(EngineE2e, EachParticipantHearsTheOthersButNotItselfAcrossCodecs) {
  Phone a(CodecKind::kPcmu, 440), b(CodecKind::kPcma, 1000), c(CodecKind::kG722), d(CodecKind::kOpus);
  join(a), join(b), join(c), join(d);
  run({&a, &b, &c, &d}, 150);
  for (Phone* p : {&a, &b, &c, &d}) ASSERT_GT(p->heard().size(), static_cast<std::size_t>(p->rate())) << p->rate();
  EXPECT_GT(share(a, 1000), 0.5);
  EXPECT_LT(share(a, 440), 0.02);
  EXPECT_GT(share(b, 440), 0.5);
  EXPECT_LT(share(b, 1000), 0.02);
  for (Phone* p : {&c, &d}) {
    EXPECT_GT(share(*p, 440), 0.2) << p->rate();
    EXPECT_GT(share(*p, 1000), 0.2) << p->rate();
  }
  auto talking = events_.of<TalkingChanged>();
  EXPECT_GE(talking.size(), 2u);
}

// A caller who talks through the IVR (the session outside any room) and keeps talking as it joins: its detector
// never changes state, yet the room must report it as talking (the console's talking indicator).
TEST_F(EngineE2e, ParticipantAlreadyTalkingWhenAttachedIsReportedTalking) {
  Phone a(CodecKind::kPcmu, 440), b(CodecKind::kPcmu);
  const auto sa = join(a, {}, false);
  join(b);
  run({&a, &b}, 50);  // one second of tone outside the room: talking, but no room to report it
  EXPECT_TRUE(events_.of<TalkingChanged>().empty());
  ASSERT_TRUE(engine_->attach(sa, room_, {}).ok());
  run({&a, &b}, 60);
  auto talking = events_.of<TalkingChanged>();
  ASSERT_FALSE(talking.empty()) << "a participant talking as it joined was never reported";
  EXPECT_EQ(talking.front().session, sa);
  EXPECT_TRUE(talking.front().talking);
  EXPECT_GT(share(b, 440), 0.5);
}

TEST_F(EngineE2e, WidebandAndOpusTalkersReachANarrowbandListener) {
  Phone a(CodecKind::kPcmu), c(CodecKind::kG722, 600), d(CodecKind::kOpus, 1200);
  join(a), join(c), join(d);
  run({&a, &c, &d}, 150);
  EXPECT_GT(share(a, 600), 0.2);
  EXPECT_GT(share(a, 1200), 0.2);
  EXPECT_GT(share(c, 1200), 0.5);
  EXPECT_LT(share(c, 600), 0.02);
  EXPECT_GT(share(d, 600), 0.5);
  EXPECT_LT(share(d, 1200), 0.02);
}

TEST_F(EngineE2e, MutedParticipantIsNotHeardByTheRoom) {
  Phone a(CodecKind::kPcmu, 440), b(CodecKind::kPcmu, 1000), c(CodecKind::kPcmu);
  join(a, {.muted = true}), join(b), join(c);
  run({&a, &b, &c}, 120);
  EXPECT_LT(share(c, 440), 0.02);
  EXPECT_GT(share(c, 1000), 0.5);
  EXPECT_GT(share(a, 1000), 0.5);
}

TEST_F(EngineE2e, Rfc4733DigitBecomesADtmfEvent) {
  Phone a(CodecKind::kPcmu), b(CodecKind::kPcmu);
  const auto sa = join(a);
  join(b);
  run({&a, &b}, 10);
  a.press('5', 120);
  run({&a, &b}, 30);
  auto digits = events_.of<DtmfEvent>();
  ASSERT_EQ(digits.size(), 1u);
  EXPECT_EQ(digits[0].digit, '5');
  EXPECT_EQ(digits[0].session, sa);
  EXPECT_FALSE(digits[0].inband);
}

TEST_F(EngineE2e, PromptToOneSessionIsHeardOnlyByIt) {
  Phone a(CodecKind::kPcmu), b(CodecKind::kPcmu), c(CodecKind::kG722);
  const auto sa = join(a);
  join(b), join(c);
  run({&a, &b, &c}, 10);
  const auto wav = write_tone_wav(2000, 5.0);
  ASSERT_TRUE(engine_->play_to_session(sa, {{wav}, false, 77}).ok());
  run({&a, &b, &c}, 100);
  EXPECT_GT(share(a, 2000), 0.5);
  EXPECT_LT(total_power(b.heard_last(1.0)), 100.0);
  EXPECT_LT(total_power(c.heard_last(1.0)), 100.0);
  ASSERT_TRUE(engine_->stop_playing_session(sa).ok());
  run({&a, &b, &c}, 5);
  auto done = events_.of<PlayDone>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].play_id, 77u);
  EXPECT_FALSE(done[0].completed);
  std::filesystem::remove(wav);
}

TEST_F(EngineE2e, SessionOutsideARoomHearsItsPromptAlone) {
  Phone a(CodecKind::kPcma), b(CodecKind::kPcmu, 1000);
  const auto sa = join(a, {}, false);
  join(b);
  const auto wav = write_tone_wav(700, 0.5);
  ASSERT_TRUE(engine_->play_to_session(sa, {{wav}, false, 5}).ok());
  run({&a, &b}, 60);
  auto done = events_.of<PlayDone>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(done[0].completed);
  const auto& heard = a.heard();
  ASSERT_GT(heard.size(), 8000u);
  EXPECT_GT(goertzel_power(std::span(heard).first(4000), 700, 8000), 1e6);
  EXPECT_LT(share(a, 1000), 0.02);  // b's room is not heard
  std::filesystem::remove(wav);
}

TEST_F(EngineE2e, BadPacketsAreCountedAndNeverMixed) {
  Phone a(CodecKind::kPcmu, 1000), c(CodecKind::kPcmu), intruder(CodecKind::kPcmu, 440);
  const auto ia = join_info(a);
  join(c);
  run({&a, &c}, 20);  // the engine latches to a's address
  intruder.connect(ia.local_port);
  std::vector<std::uint8_t> unknown_pt(172, 0);
  RtpHeader h;
  h.payload_type = 77;
  h.ssrc = 1;
  build_rtp(h, std::vector<std::uint8_t>(160, 0xff), unknown_pt);
  a.send_raw({0x80, 0x00, 0x01});               // truncated
  a.send_raw(std::vector<std::uint8_t>(40, 0)); // version 0
  a.send_raw(std::vector<std::uint8_t>(1600, 0x80));  // oversized
  a.send_raw(unknown_pt);
  run({&a, &c, &intruder}, 80);  // the intruder sends 440 Hz from another address all along
  std::this_thread::sleep_for(1100ms);  // statistics are published once a second: wait for the next
  const auto st = engine_->stats(ia.id);
  ASSERT_TRUE(st.has_value());
  EXPECT_GE(st->dropped_malformed, 3u);
  EXPECT_GE(st->dropped_unknown_pt, 1u);
  EXPECT_GE(st->dropped_wrong_source, 40u);
  EXPECT_GE(st->packets_received, 60u);
  EXPECT_GT(share(c, 1000), 0.5);
  EXPECT_LT(share(c, 440), 0.02);
}

TEST_F(EngineE2e, SrtpParticipantTalksWithAPlainOneAndForgeriesAreDropped) {
  std::array<std::uint8_t, 30> k1{}, k2{};
  for (std::size_t i = 0; i < 30; ++i) {
    k1[i] = static_cast<std::uint8_t>(i * 3 + 1);
    k2[i] = static_cast<std::uint8_t>(i * 5 + 2);
  }
  SrtpKeys keys{"AES_CM_128_HMAC_SHA1_80", make_srtp_key_b64(k1), make_srtp_key_b64(k2)};
  Phone a(CodecKind::kPcmu, 440, keys), b(CodecKind::kPcmu, 1000);
  auto pa = a.params();
  pa.srtp = keys;
  auto ia = engine_->create_session(pa);
  ASSERT_TRUE(ia.ok());
  a.connect(ia->local_port);
  ASSERT_TRUE(engine_->attach(ia->id, room_, {}).ok());
  join(b);
  run({&a, &b}, 30);
  std::vector<std::uint8_t> forged(182, 0x55);
  RtpHeader h;
  h.ssrc = 9;
  build_rtp(h, std::vector<std::uint8_t>(170, 0x11), forged);
  for (int i = 0; i < 5; ++i) a.send_raw(forged);
  run({&a, &b}, 90);
  EXPECT_GT(share(b, 440), 0.5);
  EXPECT_GT(share(a, 1000), 0.5);
  const auto st = engine_->stats(ia->id);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->dropped_srtp_auth, 5u);
}

// RTCP over real UDP: the engine answers our sender report in its own report (LSR/DLSR), from which we measure
// the round trip, and it measures the round trip from our answer to its report (SessionStats::rtt_ms).
TEST_F(EngineE2e, RtcpReportsMeasureTheRoundTripBothWays) {
  // The phone's RTCP comes from a socket of its own, not from its RTP port + 1 as its SDP implies: only NAT
  // handling (learned early in the call) takes it (source_latch.h).
  engine_->stop();
  auto o = test_options();
  o.rtp_latching = RtpLatching::kNatWindow;
  start(o);
  Phone a(CodecKind::kPcmu, 440), b(CodecKind::kPcmu);
  const auto ia = join_info(a);
  join(b);
  auto rtcp = UdpSocket::bind("127.0.0.1", 0);
  ASSERT_TRUE(rtcp.ok());
  const SockAddr engine_rtcp = *make_sockaddr("127.0.0.1", static_cast<std::uint16_t>(ia.local_port + 1));
  auto steady_ns_now = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  auto realtime_ns_now = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const std::uint32_t phone_ssrc = 0x5eedu ^ a.port();  // the test phone's RTP SSRC (phone.cpp)
  std::vector<std::uint8_t> buf(1500);
  const RtcpSenderInfo ours{ntp_from_ns(steady_ns_now()), 0, 1, 160};
  const std::size_t sr_len = build_rtcp_report(phone_ssrc, &ours, nullptr, "e2e", buf);
  ASSERT_GT(sr_len, 0u);
  ASSERT_TRUE(rtcp->send_to({buf.data(), sr_len}, engine_rtcp));  // the engine latches its RTCP to this socket

  // The engine reports every 5 s or so: run the phones until its first report comes, 8 s at most.
  RecvBatch batch(4, 1500, true);
  RtcpCompound report;
  bool have_report = false;
  std::int64_t report_arrival_ns = 0;  // on the steady clock
  for (int i = 0; i < 400 && !have_report; ++i) {
    run({&a, &b}, 1);
    const int got = batch.receive(rtcp->fd());
    for (int k = 0; k < got && !have_report; ++k) {
      if (parse_rtcp(batch.data(k), report) != RtcpParseError::kNone) continue;
      have_report = true;
      const std::int64_t age = realtime_ns_now() - batch.arrival_realtime_ns(k);
      report_arrival_ns = steady_ns_now() - (batch.arrival_realtime_ns(k) > 0 ? age : 0);
    }
  }
  ASSERT_TRUE(have_report) << "no RTCP report from the engine within 8 s";
  ASSERT_TRUE(report.has_sr);  // the engine sends RTP to this phone, so its report is a sender report
  const RtcpReportBlock* about_us = nullptr;
  for (int i = 0; i < report.block_count; ++i)
    if (report.blocks[i].ssrc == phone_ssrc) about_us = &report.blocks[i];
  ASSERT_NE(about_us, nullptr) << "the engine's report has no block about the phone's stream";
  EXPECT_EQ(about_us->lsr, ntp_middle32(ours.ntp));
  const double our_rtt = rtt_ms_from_block(*about_us, ntp_middle32(ntp_from_ns(report_arrival_ns)));
  EXPECT_GE(our_rtt, 0.0);
  EXPECT_LT(our_rtt, 50.0);  // loopback: the engine holds a report at most until the end of its tick

  // Answer with a receiver report about the engine's stream, 100 ms after its report came.
  run({&a, &b}, 5);
  RtcpReportBlock answer;
  answer.ssrc = report.sender_ssrc;
  answer.lsr = ntp_middle32(report.sender.ntp);
  answer.dlsr = static_cast<std::uint32_t>((steady_ns_now() - report_arrival_ns) * 65536 / 1000000000);
  const std::size_t rr_len = build_rtcp_report(phone_ssrc, nullptr, &answer, "e2e", buf);
  ASSERT_TRUE(rtcp->send_to({buf.data(), rr_len}, engine_rtcp));
  run({&a, &b}, 60);  // statistics are published once a second
  const auto st = engine_->stats(ia.id);
  ASSERT_TRUE(st.has_value());
  EXPECT_GE(st->rtt_ms, 0.0);
  EXPECT_LT(st->rtt_ms, 50.0);
}

}  // namespace
}  // namespace confpro::media::test
