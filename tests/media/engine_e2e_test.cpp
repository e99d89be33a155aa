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
#include "media/rtp.h"
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

}  // namespace
}  // namespace confpro::media::test
