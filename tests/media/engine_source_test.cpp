// Whose RTP a session takes (issue 11 item 3), over real UDP against the real engine: a stranger who sends to
// a participant's port — before or after the participant's phone — is never mixed into the room and never
// hears it; a NATed phone (sending from another port than its SDP says) is learned within the window with
// rtp_latching = nat-window, and not after it or in strict mode; a packet that fails SRTP authentication
// never moves the session.
#include "engine_fixture.h"
#include "media/rtcp.h"
#include "phone.h"

namespace confpro::media::test {
namespace {

constexpr double kToneA = 440, kStrangerTone = 1000;

class SourceE2e : public EngineE2e {
 protected:
  void start_with(RtpLatching mode, int window_ms = 3000) {
    engine_->stop();
    auto o = test_options();
    o.rtp_latching = mode;
    o.rtp_latch_window_ms = window_ms;
    start(o);
  }
  // A session for `p` whose SDP names `sdp_port` (another socket's), as a NATed phone's would.
  MediaSessionId join_behind_nat(Phone& p, std::uint16_t sdp_port,
                                 std::optional<SrtpKeys> srtp = std::nullopt) {
    auto params = p.params();
    params.remote_port = sdp_port;
    params.srtp = std::move(srtp);
    auto s = engine_->create_session(params);
    EXPECT_TRUE(s.ok()) << s.error().message;
    p.connect(s->local_port);
    EXPECT_TRUE(engine_->attach(s->id, room_, {}).ok());
    return s->id;
  }
  std::vector<RtpSourceChanged> changes(MediaSessionId id, bool latched) {
    std::vector<RtpSourceChanged> out;
    for (auto& e : events_.of<RtpSourceChanged>())
      if (e.session == id && e.latched == latched && !e.rtcp) out.push_back(e);
    return out;
  }
  // Runs until the stats board has caught up (published once a second).
  SessionStats stats_of(MediaSessionId id, std::vector<Phone*> phones) {
    run(std::move(phones), 55);
    auto s = engine_->stats(id);
    EXPECT_TRUE(s.has_value());
    return s.value_or(SessionStats{});
  }
};

// The stranger targets the participant's port and sends a loud tone; the room must neither hear it nor send
// it anything, and the participant must hear the room.
void expect_stranger_shut_out(const Phone& a, const Phone& b, const Phone& stranger) {
  EXPECT_EQ(stranger.datagrams_received(), 0u) << "the stranger received the room";
  EXPECT_LT(share(a, kStrangerTone), 0.02) << "the stranger's audio reached the mix";
  EXPECT_GT(share(b, kToneA), 0.5) << "the real participant does not hear the room";
}

TEST_F(SourceE2e, AStrangerSendingBeforeThePhoneIsNeverMixedNorHearsTheRoom) {
  Phone a(CodecKind::kPcmu, kToneA), b(CodecKind::kPcmu), stranger(CodecKind::kPcmu, kStrangerTone);
  join(a);
  const auto sb = join_info(b);
  stranger.connect(sb.local_port);
  run({&a, &stranger}, 25);  // b has not spoken yet
  EXPECT_EQ(stranger.datagrams_received(), 0u);
  run({&a, &b, &stranger}, 60);
  expect_stranger_shut_out(a, b, stranger);
  const auto st = stats_of(sb.id, {&a, &b, &stranger});
  EXPECT_GT(st.dropped_wrong_source, 50u);
  EXPECT_EQ(st.source_changes, 0u);
  ASSERT_EQ(changes(sb.id, false).size(), 1u);  // reported once, with who was dropped
  EXPECT_EQ(changes(sb.id, false)[0].source, "127.0.0.1:" + std::to_string(stranger.port()));
}

TEST_F(SourceE2e, AStrangerSendingAfterThePhoneIsNeverMixedNorHearsTheRoom) {
  Phone a(CodecKind::kPcmu, kToneA), b(CodecKind::kPcmu), stranger(CodecKind::kPcmu, kStrangerTone);
  join(a);
  const auto sb = join_info(b);
  run({&a, &b}, 25);
  stranger.connect(sb.local_port);
  run({&a, &b, &stranger}, 60);
  expect_stranger_shut_out(a, b, stranger);
  EXPECT_TRUE(changes(sb.id, true).empty());
}

TEST_F(SourceE2e, AStrangersRtcpIsDroppedAndGetsNoReports) {
  Phone a(CodecKind::kPcmu, kToneA), b(CodecKind::kPcmu);
  join(a);
  const auto sb = join_info(b);
  auto stranger = UdpSocket::bind("127.0.0.1", 0);
  ASSERT_TRUE(stranger.ok());
  std::vector<std::uint8_t> buf(1500);
  const RtcpSenderInfo info{0x1234567800000000ull, 0, 1, 160};
  const std::size_t len = build_rtcp_report(0xbad, &info, nullptr, "x", buf);
  ASSERT_GT(len, 0u);
  const SockAddr engine_rtcp = *make_sockaddr("127.0.0.1", static_cast<std::uint16_t>(sb.local_port + 1));
  RecvBatch batch(4, 1500);
  int got = 0;
  for (int i = 0; i < 330; ++i) {  // past the engine's first report (5-6 s)
    if (i % 25 == 0) {
      ASSERT_TRUE(stranger->send_to({buf.data(), len}, engine_rtcp));
    }
    run({&a, &b}, 1);
    got += batch.receive(stranger->fd());
  }
  EXPECT_EQ(got, 0) << "the engine sent its RTCP reports to the stranger";
  const auto st = engine_->stats(sb.id);
  ASSERT_TRUE(st);
  EXPECT_GE(st->dropped_wrong_source, 10u);
  std::size_t rtcp_reports = 0;
  for (auto& e : events_.of<RtpSourceChanged>()) rtcp_reports += e.session == sb.id && e.rtcp && !e.latched;
  EXPECT_EQ(rtcp_reports, 1u);
}

TEST_F(SourceE2e, WithNatWindowAStrangerAfterThePhoneIsShutOutToo) {
  start_with(RtpLatching::kNatWindow);
  Phone a(CodecKind::kPcmu, kToneA), b(CodecKind::kPcmu), stranger(CodecKind::kPcmu, kStrangerTone);
  join(a);
  const auto sb = join_info(b);
  run({&a, &b}, 10);  // the phone's own address has sent: nothing is learned any more
  stranger.connect(sb.local_port);
  run({&a, &b, &stranger}, 60);
  expect_stranger_shut_out(a, b, stranger);
  EXPECT_TRUE(changes(sb.id, true).empty());
}

TEST_F(SourceE2e, WithNatWindowThePhonesOwnAddressTakesOverFromAStrangerWhoWasFirst) {
  start_with(RtpLatching::kNatWindow);
  Phone a(CodecKind::kPcmu, kToneA), b(CodecKind::kPcmu), stranger(CodecKind::kPcmu, kStrangerTone);
  join(a);
  const auto sb = join_info(b);
  stranger.connect(sb.local_port);
  run({&a, &stranger}, 15);  // nothing from the SDP address yet: the stranger is learned (what NAT needs) ...
  run({&a, &b, &stranger}, 10);  // ... until the phone's SDP address sends
  const auto heard_before = stranger.datagrams_received();
  run({&a, &b, &stranger}, 60);
  EXPECT_LE(stranger.datagrams_received() - heard_before, 1u) << "the stranger kept receiving the room";
  EXPECT_LT(share(a, kStrangerTone), 0.02);
  EXPECT_GT(share(b, kToneA), 0.5);
  auto latched = changes(sb.id, true);
  ASSERT_EQ(latched.size(), 2u);  // to the stranger, then back to the phone: both logged
  EXPECT_EQ(latched[1].source, "127.0.0.1:" + std::to_string(b.port()));
  EXPECT_EQ(latched[1].previous, "127.0.0.1:" + std::to_string(stranger.port()));
}

TEST_F(SourceE2e, WithNatWindowANatedPhoneIsLearnedWithinTheWindow) {
  start_with(RtpLatching::kNatWindow);
  Phone a(CodecKind::kPcmu, kToneA), natted(CodecKind::kPcmu, kStrangerTone), sdp_only(CodecKind::kPcmu);
  join(a);
  const auto sn = join_behind_nat(natted, sdp_only.port());
  run({&a, &natted}, 80);
  EXPECT_GT(share(natted, kToneA), 0.5);    // it hears the room at its real address ...
  EXPECT_GT(share(a, kStrangerTone), 0.5);  // ... and is heard
  auto latched = changes(sn, true);
  ASSERT_EQ(latched.size(), 1u);
  EXPECT_EQ(latched[0].source, "127.0.0.1:" + std::to_string(natted.port()));
  EXPECT_EQ(latched[0].previous, "127.0.0.1:" + std::to_string(sdp_only.port()));
}

TEST_F(SourceE2e, WithNatWindowANatedPhoneIsNotLearnedAfterTheWindow) {
  start_with(RtpLatching::kNatWindow, 500);
  Phone a(CodecKind::kPcmu, kToneA), natted(CodecKind::kPcmu, kStrangerTone), sdp_only(CodecKind::kPcmu);
  join(a);
  const auto sn = join_behind_nat(natted, sdp_only.port());
  run({&a}, 40);  // 800 ms of silence from it: the window has closed
  run({&a, &natted}, 60);
  EXPECT_EQ(natted.datagrams_received(), 0u);
  EXPECT_LT(share(a, kStrangerTone), 0.02);
  EXPECT_TRUE(changes(sn, true).empty());
}

TEST_F(SourceE2e, StrictNeverLearnsANatedPhone) {
  Phone a(CodecKind::kPcmu, kToneA), natted(CodecKind::kPcmu, kStrangerTone), sdp_only(CodecKind::kPcmu);
  join(a);
  const auto sn = join_behind_nat(natted, sdp_only.port());
  run({&a, &natted, &sdp_only}, 60);
  EXPECT_EQ(natted.datagrams_received(), 0u);
  EXPECT_LT(share(a, kStrangerTone), 0.02);
  EXPECT_GT(sdp_only.datagrams_received(), 40u);  // the room goes to the SDP address
  EXPECT_TRUE(changes(sn, true).empty());
}

TEST_F(SourceE2e, APacketFailingSrtpAuthenticationNeverMovesTheSession) {
  start_with(RtpLatching::kNatWindow);
  std::uint8_t k1[30], k2[30], k3[30];
  for (int i = 0; i < 30; ++i) {
    k1[i] = static_cast<std::uint8_t>(i * 7 + 1);
    k2[i] = static_cast<std::uint8_t>(i * 11 + 3);
    k3[i] = static_cast<std::uint8_t>(i * 13 + 5);
  }
  const SrtpKeys keys{"AES_CM_128_HMAC_SHA1_80", make_srtp_key_b64(k1), make_srtp_key_b64(k2)};
  const SrtpKeys wrong{"AES_CM_128_HMAC_SHA1_80", make_srtp_key_b64(k1), make_srtp_key_b64(k3)};
  Phone a(CodecKind::kPcmu, kToneA), natted(CodecKind::kPcmu, 0, keys), sdp_only(CodecKind::kPcmu);
  Phone forger(CodecKind::kPcmu, kStrangerTone, wrong), plain(CodecKind::kPcmu, kStrangerTone);
  join(a);
  const auto sn = join_behind_nat(natted, sdp_only.port(), keys);
  forger.connect(natted.engine_port());
  plain.connect(natted.engine_port());
  // Both impostors send first, inside the window: neither passes authentication, neither is learned.
  run({&a, &forger, &plain}, 20);
  EXPECT_EQ(forger.datagrams_received() + plain.datagrams_received(), 0u);
  EXPECT_TRUE(changes(sn, true).empty());
  // The real phone (right keys, behind NAT) is then learned, still inside the window.
  run({&a, &natted, &forger, &plain}, 60);
  EXPECT_EQ(forger.datagrams_received() + plain.datagrams_received(), 0u);
  EXPECT_GT(share(natted, kToneA), 0.5);
  EXPECT_LT(share(a, kStrangerTone), 0.02);
  auto latched = changes(sn, true);
  ASSERT_EQ(latched.size(), 1u);
  EXPECT_EQ(latched[0].source, "127.0.0.1:" + std::to_string(natted.port()));
  const auto st = stats_of(sn, {&a, &natted, &forger, &plain});
  EXPECT_GT(st.dropped_srtp_auth, 30u);
}

}  // namespace
}  // namespace confpro::media::test
