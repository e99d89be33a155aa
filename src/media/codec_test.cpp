// Codec round trips: a 1 kHz tone survives encode -> decode for every codec, and concealment fills a gap.
#include "media/codec.h"

#include <gtest/gtest.h>

#include <opus/opus.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "media/g711.h"
#include "media/opus_codec.h"
#include "media/resampler.h"
#include "media/tone.h"

namespace confpro::media {
namespace {

// Encodes `seconds` of a 1 kHz tone in 20 ms frames and decodes them again; returns the decoded PCM.
std::vector<std::int16_t> round_trip(CodecKind kind, const std::vector<std::int16_t>& in, int rate) {
  CodecSpec spec{.kind = kind};
  auto enc = make_encoder(spec);
  auto dec = make_decoder(spec);
  EXPECT_TRUE(enc && dec);
  const std::size_t frame = static_cast<std::size_t>(rate / 50);
  std::vector<std::int16_t> out;
  std::vector<std::uint8_t> payload(1500);
  std::vector<std::int16_t> pcm(5760);
  for (std::size_t off = 0; off + frame <= in.size(); off += frame) {
    int bytes = enc->encode(std::span(in).subspan(off, frame), payload);
    EXPECT_GT(bytes, 0);
    int n = dec->decode(std::span(payload).first(static_cast<std::size_t>(bytes)), pcm);
    EXPECT_EQ(n, static_cast<int>(frame));
    out.insert(out.end(), pcm.begin(), pcm.begin() + std::max(n, 0));
  }
  return out;
}

struct Case {
  CodecKind kind;
  double min_snr_db;
  std::size_t bytes_per_20ms;  // 0: variable
};

class CodecRoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(CodecRoundTrip, OneKilohertzToneSurvivesEncodeDecode) {
  const auto c = GetParam();
  const int rate = native_rate(c.kind);
  auto in = make_tone(1000, 8000, rate, 1.0);
  auto out = round_trip(c.kind, in, rate);
  ASSERT_EQ(out.size(), in.size());
  // Skip the first 100 ms (codec start-up), judge the rest.
  std::span<const std::int16_t> tail = std::span(out).subspan(static_cast<std::size_t>(rate / 10));
  EXPECT_GT(tone_fraction(tail, 1000, rate), 0.9) << to_string(c.kind);
  EXPECT_LT(tone_fraction(tail, 440, rate), 0.01);
  double snr = snr_db(std::span(in).subspan(static_cast<std::size_t>(rate / 10)), tail, rate / 100);
  std::printf("[ figure ] %s round-trip SNR of a 1 kHz tone: %.1f dB\n", to_string(c.kind), snr);
  EXPECT_GT(snr, c.min_snr_db);
}

TEST_P(CodecRoundTrip, PayloadSizeMatchesTheCodec) {
  const auto c = GetParam();
  auto enc = make_encoder(CodecSpec{.kind = c.kind});
  auto pcm = make_tone(1000, 8000, native_rate(c.kind), 0.02);
  std::vector<std::uint8_t> out(1500);
  if (c.bytes_per_20ms == 0) {  // Opus at 32 kbit/s: about 80 bytes, variable
    int n = 0;
    for (int i = 0; i < 10; ++i) n = enc->encode(pcm, out);
    EXPECT_GT(n, 20);
    EXPECT_LT(n, 200);
    return;
  }
  EXPECT_EQ(enc->encode(pcm, out), static_cast<int>(c.bytes_per_20ms));
}

TEST_P(CodecRoundTrip, ConcealmentContinuesTheToneAfterALoss) {
  const auto c = GetParam();
  const int rate = native_rate(c.kind);
  auto in = make_tone(1000, 8000, rate, 0.5);
  auto dec = make_decoder(CodecSpec{.kind = c.kind});
  auto enc = make_encoder(CodecSpec{.kind = c.kind});
  const std::size_t frame = static_cast<std::size_t>(rate / 50);
  std::vector<std::uint8_t> payload(1500);
  std::vector<std::int16_t> pcm(5760);
  for (std::size_t off = 0; off + frame <= in.size(); off += frame) {
    int bytes = enc->encode(std::span(in).subspan(off, frame), payload);
    ASSERT_GT(dec->decode(std::span(payload).first(static_cast<std::size_t>(bytes)), pcm), 0);
  }
  ASSERT_EQ(dec->conceal(pcm, frame), static_cast<int>(frame));
  std::span<const std::int16_t> concealed(pcm.data(), frame);
  EXPECT_GT(total_power(concealed), 1e5) << "concealment is not silence";
  EXPECT_GT(tone_fraction(concealed, 1000, rate), 0.5);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecRoundTrip,
                         ::testing::Values(Case{CodecKind::kPcmu, 30, 160}, Case{CodecKind::kPcma, 30, 160},
                                           Case{CodecKind::kG722, 20, 160}, Case{CodecKind::kOpus, 15, 0}),
                         [](const auto& p) { return std::string(to_string(p.param.kind)); });

// What the engine does per leg: decode at the caller's rate, resample to the 16 kHz mix, resample to the
// listener's codec rate, encode, and the listener decodes. A tone must cross every pair of codecs.
TEST(Codec, ToneCrossesBetweenEveryPairOfCodecsThroughTheMixRate) {
  const CodecKind kinds[] = {CodecKind::kPcmu, CodecKind::kPcma, CodecKind::kG722, CodecKind::kOpus};
  for (auto from : kinds) {
    for (auto to : kinds) {
      const int in_rate = native_rate(from), out_rate = native_rate(to);
      auto enc_a = make_encoder({.kind = from});
      auto dec_a = make_decoder({.kind = from});
      auto enc_b = make_encoder({.kind = to});
      auto dec_b = make_decoder({.kind = to});
      auto up = Resampler::create({.in_rate = in_rate, .out_rate = 16000});
      auto down = Resampler::create({.in_rate = 16000, .out_rate = out_rate});
      ASSERT_TRUE(up.ok() && down.ok());
      ToneGenerator gen(700, 8000, in_rate);
      std::vector<std::int16_t> src(static_cast<std::size_t>(in_rate / 50)), mix(320),
          leg(static_cast<std::size_t>(out_rate / 50)), heard(5760), all;
      std::vector<std::uint8_t> payload(1500);
      for (int i = 0; i < 50; ++i) {
        gen.fill(src);
        int n = enc_a->encode(src, payload);
        int m = dec_a->decode(std::span(payload).first(static_cast<std::size_t>(n)), heard);
        ASSERT_EQ((*up)->process(std::span(heard).first(static_cast<std::size_t>(m)), mix), 320);
        ASSERT_EQ((*down)->process(mix, leg), static_cast<int>(leg.size()));
        n = enc_b->encode(leg, payload);
        m = dec_b->decode(std::span(payload).first(static_cast<std::size_t>(n)), heard);
        ASSERT_EQ(m, static_cast<int>(leg.size()));
        if (i >= 10) all.insert(all.end(), heard.begin(), heard.begin() + m);
      }
      EXPECT_GT(tone_fraction(all, 700, out_rate), 0.9) << to_string(from) << " -> " << to_string(to);
    }
  }
}

TEST(Codec, NativeRatesFollowTheCodec) {
  EXPECT_EQ(native_rate(CodecKind::kPcmu), 8000);
  EXPECT_EQ(native_rate(CodecKind::kPcma), 8000);
  EXPECT_EQ(native_rate(CodecKind::kG722), 16000);
  EXPECT_EQ(native_rate(CodecKind::kOpus), 48000);
}

TEST(Codec, OpusFecRebuildsALostFrameFromTheNextPacket) {
  auto enc = make_opus_encoder(OpusEncoderOptions{.expected_loss_percent = 20});
  auto dec_fec = make_opus_decoder(true);
  auto dec_plc = make_opus_decoder(false);
  // A tone with a step in frequency at the lost frame: PLC can only repeat the old pitch, FEC knows the new one.
  const std::size_t frame = 960;
  std::vector<std::uint8_t> payload(1500);
  std::vector<std::vector<std::uint8_t>> packets;
  ToneGenerator low(500, 8000, 48000), high(1500, 8000, 48000);
  std::vector<std::int16_t> pcm(frame);
  for (int i = 0; i < 40; ++i) {
    if (i < 30) low.fill(pcm); else high.fill(pcm);
    int n = enc->encode(pcm, payload);
    ASSERT_GT(n, 0);
    packets.emplace_back(payload.begin(), payload.begin() + n);
  }
  std::vector<std::int16_t> out(5760);
  for (int i = 0; i < 30; ++i) {  // packet 30, the first of the new pitch, is lost
    ASSERT_EQ(dec_fec->decode(packets[static_cast<std::size_t>(i)], out), static_cast<int>(frame));
    ASSERT_EQ(dec_plc->decode(packets[static_cast<std::size_t>(i)], out), static_cast<int>(frame));
  }
  std::vector<std::int16_t> with_fec(frame), with_plc(frame);
  ASSERT_EQ(dec_fec->conceal(with_fec, frame, packets[31]), static_cast<int>(frame));
  ASSERT_EQ(dec_plc->conceal(with_plc, frame, packets[31]), static_cast<int>(frame));
  double fec_high = tone_fraction(with_fec, 1500, 48000);
  double plc_high = tone_fraction(with_plc, 1500, 48000);
  std::printf("[ figure ] opus lost frame: 1.5 kHz share with FEC %.2f, with PLC %.2f\n", fec_high, plc_high);
  EXPECT_GT(fec_high, 0.25);  // LBRR is a low-rate copy: the new pitch is there, not at full quality
  EXPECT_GT(fec_high, plc_high + 0.2);
}

TEST(Codec, OpusDecodesOtherPacketTimes) {
  auto enc = make_opus_encoder();
  auto dec = make_opus_decoder();
  std::vector<std::uint8_t> payload(1500);
  std::vector<std::int16_t> out(5760);
  for (int ms : {10, 20, 40, 60}) {
    auto pcm = make_tone(1000, 8000, 48000, ms / 1000.0);
    int n = enc->encode(pcm, payload);
    ASSERT_GT(n, 0) << ms;
    EXPECT_EQ(dec->decode(std::span(payload).first(static_cast<std::size_t>(n)), out), 48 * ms);
  }
}

TEST(Codec, OpusAtSixteenKilohertzPcmSkipsResampling) {
  auto enc = make_opus_encoder(OpusEncoderOptions{.sample_rate = 16000});
  auto dec = make_opus_decoder(true, 16000);
  auto dec48 = make_opus_decoder(true, 48000);
  ToneGenerator gen(1000, 8000, 16000);
  std::vector<std::int16_t> pcm(320), out(5760), all;
  std::vector<std::uint8_t> payload(1500);
  for (int i = 0; i < 50; ++i) {
    gen.fill(pcm);
    int n = enc->encode(pcm, payload);
    ASSERT_GT(n, 0);
    auto p = std::span(payload).first(static_cast<std::size_t>(n));
    ASSERT_EQ(dec->decode(p, out), 320);
    if (i >= 10) all.insert(all.end(), out.begin(), out.begin() + 320);
    EXPECT_EQ(dec48->decode(p, out), 960) << "the same packets decode at 48 kHz too";
  }
  EXPECT_GT(tone_fraction(all, 1000, 16000), 0.9);
  EXPECT_EQ(dec->conceal(out, 320), 320);
  EXPECT_EQ(dec->conceal(out, 100), 100) << "not a multiple of 2.5 ms";
}

// The decoder copies the samples of a repeated packet once decoding it leaves its state unchanged: what comes out
// must be what libopus itself gives for the same packets, sample for sample, through silence, a loss and speech.
TEST(Codec, OpusRepeatedPacketsDecodeExactlyAsLibopusDoes) {
  auto enc = make_opus_encoder(OpusEncoderOptions{.sample_rate = 48000});
  auto dec = make_opus_decoder(true, 16000);
  int err = 0;
  OpusDecoder* ref = opus_decoder_create(16000, 1, &err);
  ASSERT_NE(ref, nullptr);
  ToneGenerator gen(600, 8000, 48000);
  std::vector<std::int16_t> pcm(960), out(5760), want(5760);
  std::vector<std::uint8_t> payload(1500);
  int compared = 0;
  auto check = [&](std::span<const std::uint8_t> p) {
    const int n = dec->decode(p, out);
    const int m = opus_decode(ref, p.data(), static_cast<opus_int32>(p.size()), want.data(), 5760, 0);
    ASSERT_EQ(n, m);
    ASSERT_EQ(0, std::memcmp(out.data(), want.data(), static_cast<std::size_t>(n) * sizeof(std::int16_t)))
        << "frame " << compared;
    ++compared;
  };
  auto encode = [&](bool tone) {
    if (tone) gen.fill(pcm); else std::fill(pcm.begin(), pcm.end(), std::int16_t{0});
    const int n = enc->encode(pcm, payload);
    EXPECT_GT(n, 0);
    return std::vector<std::uint8_t>(payload.begin(), payload.begin() + std::max(n, 0));
  };
  for (int i = 0; i < 20; ++i) check(encode(true));
  std::vector<std::uint8_t> silent;
  for (int i = 0; i < 10; ++i) check(silent = encode(false));
  for (int i = 0; i < 100; ++i) check(silent);  // the same packet again and again: the state settles
  ASSERT_EQ(dec->conceal(out, 320), 320);       // a loss moves the state on
  ASSERT_EQ(opus_decode(ref, nullptr, 0, want.data(), 320, 0), 320);
  EXPECT_EQ(0, std::memcmp(out.data(), want.data(), 320 * sizeof(std::int16_t)));
  for (int i = 0; i < 60; ++i) check(silent);
  for (int i = 0; i < 20; ++i) check(encode(true));  // speech again after the repeats
  std::vector<std::int16_t> heard(out.begin(), out.begin() + 320);
  EXPECT_GT(tone_fraction(heard, 600, 16000), 0.5);
  opus_decoder_destroy(ref);
}

TEST(Codec, BadOpusPayloadIsRefused) {
  auto dec = make_opus_decoder();
  std::vector<std::uint8_t> garbage = {0xFF, 0xFF, 0xFF};
  std::vector<std::int16_t> out(5760);
  EXPECT_EQ(dec->decode(garbage, out), -1);
  EXPECT_EQ(dec->decode({}, out), -1);
}

}  // namespace
}  // namespace confpro::media
