#include "media/dtmf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "media/audio_file.h"
#include "media/tone.h"

namespace confpro::media {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::vector<std::uint8_t> event(int code, bool end, int volume, int duration) {
  return {static_cast<std::uint8_t>(code), static_cast<std::uint8_t>((end ? 0x80 : 0) | volume),
          static_cast<std::uint8_t>(duration >> 8), static_cast<std::uint8_t>(duration & 0xFF)};
}

TEST(DtmfCodes, DigitsMapToRfc4733Events) {
  const std::string digits = "0123456789*#ABCD";
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(dtmf_event_code(digits[static_cast<std::size_t>(i)]), i);
    EXPECT_EQ(dtmf_digit(i), digits[static_cast<std::size_t>(i)]);
  }
  EXPECT_EQ(dtmf_event_code('a'), 12);
  EXPECT_EQ(dtmf_event_code('x'), -1);
  EXPECT_EQ(dtmf_event_code(0), -1);
  EXPECT_EQ(dtmf_digit(16), 0);
}

TEST(Rfc4733Receiver, ThreeEndPacketsGiveExactlyOneDigit) {
  Rfc4733Receiver rx(8000);
  auto t = Clock::time_point{} + milliseconds(1000);
  std::vector<DigitEvent> got;
  auto feed = [&](const std::vector<std::uint8_t>& p, std::uint32_t ts) {
    if (auto d = rx.on_packet(p, ts, t)) got.push_back(*d);
    t += milliseconds(20);
  };
  feed(event(5, false, 10, 160), 1000);
  feed(event(5, false, 10, 320), 1000);
  feed(event(5, false, 10, 480), 1000);
  EXPECT_TRUE(got.empty()) << "reported at the end";
  feed(event(5, true, 10, 640), 1000);
  feed(event(5, true, 10, 640), 1000);
  feed(event(5, true, 10, 640), 1000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].digit, '5');
  EXPECT_EQ(got[0].duration_ms, 80);
  EXPECT_EQ(rx.poll(t + milliseconds(5000)), std::nullopt);
}

TEST(Rfc4733Receiver, LongPressIsOneDigit) {
  Rfc4733Receiver rx(8000);
  auto t = Clock::time_point{} + milliseconds(1000);
  int digits = 0;
  for (int i = 1; i <= 150; ++i) {  // 3 s
    if (rx.on_packet(event(11, false, 10, i * 160), 7777, t)) ++digits;
    t += milliseconds(20);
    if (rx.poll(t)) ++digits;
  }
  for (int i = 0; i < 3; ++i) {
    auto d = rx.on_packet(event(11, true, 10, 150 * 160), 7777, t);
    if (d) {
      ++digits;
      EXPECT_EQ(d->digit, '#');
      EXPECT_EQ(d->duration_ms, 3000);
    }
  }
  EXPECT_EQ(digits, 1);
}

TEST(Rfc4733Receiver, SameDigitTwiceIsTwoEventsByTimestamp) {
  Rfc4733Receiver rx(8000);
  auto t = Clock::time_point{};
  std::string got;
  for (std::uint32_t ts : {1000u, 3000u}) {
    for (int i = 1; i <= 3; ++i) {
      if (auto d = rx.on_packet(event(1, false, 10, i * 160), ts, t)) got += d->digit;
    }
    for (int i = 0; i < 3; ++i) {
      if (auto d = rx.on_packet(event(1, true, 10, 480), ts, t)) got += d->digit;
    }
  }
  EXPECT_EQ(got, "11");
}

TEST(Rfc4733Receiver, LostEndPacketsAreCoveredByTheNextEventOrATimeout) {
  Rfc4733Receiver rx(8000, milliseconds(800));
  auto t = Clock::time_point{} + milliseconds(1000);
  EXPECT_EQ(rx.on_packet(event(2, false, 10, 160), 100, t), std::nullopt);
  auto d = rx.on_packet(event(3, false, 10, 160), 2000, t);  // new event; 2's ends were lost
  ASSERT_TRUE(d);
  EXPECT_EQ(d->digit, '2');
  EXPECT_EQ(rx.poll(t + milliseconds(799)), std::nullopt);
  auto timed_out = rx.poll(t + milliseconds(800));
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->digit, '3');
  EXPECT_EQ(rx.poll(t + milliseconds(2000)), std::nullopt);
}

TEST(Rfc4733Receiver, OnlyEndPacketsStillGiveTheDigit) {
  Rfc4733Receiver rx(8000);
  auto t = Clock::time_point{};
  std::string got;
  for (int i = 0; i < 3; ++i) {
    if (auto d = rx.on_packet(event(9, true, 10, 800), 5000, t)) got += d->digit;
  }
  EXPECT_EQ(got, "9");
}

TEST(Rfc4733Receiver, ReorderedOldPacketsAndNonDigitsAreIgnored) {
  Rfc4733Receiver rx(8000);
  auto t = Clock::time_point{};
  EXPECT_TRUE(rx.on_packet(event(4, true, 10, 800), 5000, t));
  EXPECT_FALSE(rx.on_packet(event(4, false, 10, 160), 4000, t));  // an older event's packet
  EXPECT_FALSE(rx.on_packet(event(16, true, 10, 800), 9000, t));  // flash: not a digit
  const std::vector<std::uint8_t> truncated = {4, 0x80};
  EXPECT_FALSE(rx.on_packet(truncated, 9000, t));
}

TEST(Rfc4733Receiver, TimestampWrapIsANewEvent) {
  Rfc4733Receiver rx(8000);
  auto t = Clock::time_point{};
  std::string got;
  for (std::uint32_t ts : {0xFFFFFF00u, 0x00000100u}) {
    for (int i = 0; i < 3; ++i) {
      if (auto d = rx.on_packet(event(7, true, 10, 800), ts, t)) got += d->digit;
    }
  }
  EXPECT_EQ(got, "77");
}

TEST(Rfc4733Sender, SendsGrowingDurationsThenThreeEndPackets) {
  Rfc4733Sender tx(8000, 20);
  ASSERT_TRUE(tx.start('#', 100));
  std::vector<Rfc4733Packet> packets;
  for (int i = 0; i < 100 && tx.active(); ++i) packets.push_back(*tx.next());
  EXPECT_FALSE(tx.next());
  ASSERT_EQ(packets.size(), 4u + 3u);  // 160, 320, 480, 640, then 800 x3 with E
  EXPECT_TRUE(packets[0].marker);
  for (std::size_t i = 1; i < packets.size(); ++i) EXPECT_FALSE(packets[i].marker);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(packets[i].payload[0], 11);
    EXPECT_FALSE(packets[i].end);
    EXPECT_EQ((packets[i].payload[2] << 8) | packets[i].payload[3], static_cast<int>(160 * (i + 1)));
  }
  for (std::size_t i = 4; i < 7; ++i) {
    EXPECT_TRUE(packets[i].end);
    EXPECT_EQ(packets[i].payload[1], 0x80 | 10);
    EXPECT_EQ((packets[i].payload[2] << 8) | packets[i].payload[3], 800);
  }
  EXPECT_FALSE(tx.start('x', 100));
}

TEST(Rfc4733Sender, WhatItSendsTheReceiverReadsAsTheSameDigits) {
  const std::string digits = "0123456789*#ABCD";
  for (int rate : {8000, 16000, 48000}) {
    Rfc4733Sender tx(rate, 20);
    Rfc4733Receiver rx(rate);
    std::string got;
    std::uint32_t ts = 12345;
    auto t = Clock::time_point{};
    for (char c : digits) {
      ASSERT_TRUE(tx.start(c, 120));
      for (int i = 0; i < 50 && tx.active(); ++i) {
        auto p = tx.next();
        if (auto d = rx.on_packet(p->payload, ts, t)) {
          got += d->digit;
          EXPECT_EQ(d->duration_ms, 120);
        }
      }
      ts += static_cast<std::uint32_t>(rate / 5);
    }
    EXPECT_EQ(got, digits) << rate;
  }
}

TEST(InbandDtmf, DetectsAllSixteenDigits) {
  const std::string digits = "0123456789*#ABCD";
  InbandDtmfDetector det;
  std::vector<std::int16_t> pcm;
  for (char c : digits) {
    auto d = make_dtmf(c, 8000, 80, 80);
    pcm.insert(pcm.end(), d.begin(), d.end());
  }
  pcm.resize(pcm.size() + 1600, 0);
  std::string got;
  std::array<DigitEvent, 4> out{};
  for (std::size_t off = 0; off + 160 <= pcm.size(); off += 160) {
    std::size_t n = det.process(std::span(pcm).subspan(off, 160), out);
    for (std::size_t i = 0; i < n; ++i) {
      got += out[i].digit;
      EXPECT_GE(out[i].duration_ms, 40);
      EXPECT_LE(out[i].duration_ms, 120);
    }
  }
  EXPECT_EQ(got, digits);
}

TEST(InbandDtmf, SpeechLikeTonesAndSilenceGiveNoDigits) {
  InbandDtmfDetector det;
  auto pcm = make_tone(440, 8000, 8000, 1.0);
  ToneGenerator(1000, 4000, 8000).add(pcm);
  pcm.resize(pcm.size() + 8000, 0);
  std::array<DigitEvent, 4> out{};
  std::size_t total = 0;
  for (std::size_t off = 0; off + 160 <= pcm.size(); off += 160) total += det.process(std::span(pcm).subspan(off, 160), out);
  EXPECT_EQ(total, 0u);
}

TEST(InbandDtmf, RealSpeechPromptsGiveNoDigits) {
  // Talk-off: recorded speech must not be taken for key presses.
  const std::string dir = "/usr/share/asterisk/sounds/en_US_f_Allison/";
  int files = 0;
  std::size_t total = 0;
  for (const char* name : {"conf-getpin", "conf-getconfno", "conf-onlyperson", "conf-waitforleader",
                           "conf-placeintoconf", "vm-rec-name", "pls-hold-while-try", "conf-usermenu"}) {
    auto pcm = read_audio_file(dir + name + ".wav", 8000);
    if (!pcm.ok()) continue;
    ++files;
    InbandDtmfDetector det;
    std::array<DigitEvent, 4> out{};
    for (std::size_t off = 0; off + 160 <= pcm->samples.size(); off += 160) {
      total += det.process(std::span(pcm->samples).subspan(off, 160), out);
    }
  }
  if (files == 0) GTEST_SKIP() << "asterisk-core-sounds-en-wav is not installed";
  EXPECT_EQ(total, 0u) << "over " << files << " prompts";
}

TEST(InbandDtmf, DigitsMixedIntoSpeechAreStillFound) {
  auto speech = read_audio_file("/usr/share/asterisk/sounds/en_US_f_Allison/conf-getpin.wav", 8000);
  if (!speech.ok()) GTEST_SKIP() << "asterisk-core-sounds-en-wav is not installed";
  std::vector<std::int16_t> pcm = speech->samples;
  const std::string digits = "1379#";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    auto d = make_dtmf(digits[i], 8000, 100, 0, 8000);
    const std::size_t at = 4000 + i * 3200;  // every 400 ms from 0.5 s
    for (std::size_t k = 0; k < d.size() && at + k < pcm.size(); ++k) {
      pcm[at + k] = static_cast<std::int16_t>(std::clamp(pcm[at + k] / 4 + d[k], -32768, 32767));
    }
  }
  InbandDtmfDetector det;
  std::array<DigitEvent, 4> out{};
  std::string got;
  for (std::size_t off = 0; off + 160 <= pcm.size(); off += 160) {
    std::size_t n = det.process(std::span(pcm).subspan(off, 160), out);
    for (std::size_t i = 0; i < n; ++i) got += out[i].digit;
  }
  EXPECT_EQ(got, digits);
}

TEST(InbandDtmf, ALongToneIsOneDigit) {
  InbandDtmfDetector det;
  auto pcm = make_dtmf('7', 8000, 2000, 200);
  std::array<DigitEvent, 4> out{};
  std::string got;
  for (std::size_t off = 0; off + 160 <= pcm.size(); off += 160) {
    std::size_t n = det.process(std::span(pcm).subspan(off, 160), out);
    for (std::size_t i = 0; i < n; ++i) got += out[i].digit;
  }
  EXPECT_EQ(got, "7");
}

}  // namespace
}  // namespace confpro::media
