// Phones unlike the default one (FEATURES.md I6, M1; issue 5 "Tests"): digits sent as SIP INFO and as in-band
// tones drive the IVR into the room; callers on G.722 and Opus hear a PCMU caller and are heard by it.
#include <thread>

#include "e2e.h"

namespace confpro::conftest {
namespace {

TEST_F(ConferenceTest, SipInfoAndInbandDigitsDriveTheIvr) {
  const Conf c = start_with_booking("dtmf-kinds");
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A-rfc4733", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  ASSERT_TRUE(wait_log("joined as user"));

  SoftphoneOptions info;
  info.dtmf = DtmfMode::kSipInfo;
  info.telephone_event = false;
  auto b = call("B-sip-info", kAccessNumber, info);
  ASSERT_TRUE(b);
  b->press("2" + c.number + "#" + c.moderator_pin + "#");
  ASSERT_TRUE(b->wait_digits_sent());
  EXPECT_TRUE(wait_tone(*b, kToneA, 15s)) << "digits sent as SIP INFO did not bring B into the room";
  EXPECT_TRUE(wait_log("joined as moderator"));

  SoftphoneOptions inband;
  inband.dtmf = DtmfMode::kInband;
  inband.telephone_event = false;  // the tones in the audio are the only way the digits can arrive
  auto d = call("D-inband", kAccessNumber, inband);
  ASSERT_TRUE(d);
  d->press("2" + c.number + "#" + c.user_pin + "#");
  ASSERT_TRUE(d->wait_digits_sent());
  EXPECT_TRUE(wait_tone(*d, kToneA, 15s, 0.4)) << "in-band digits did not bring D into the room";
  EXPECT_TRUE(wait_log("joined as user", 5s, 2));

  // In the room, an in-call key by INFO works too: B (moderator) locks with *3.
  b->press("*3");
  ASSERT_TRUE(b->wait_digits_sent());
  EXPECT_TRUE(wait_log("conf=" + c.number + " locked")) << "*3 sent as SIP INFO was not obeyed";
}

TEST_F(ConferenceTest, G722AndOpusCallersHearAPcmuCallerAndAreHeard) {
  const Conf c = start_with_booking("codecs");
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A-pcmu", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);

  auto join_with = [&](const std::string& name, media::CodecKind codec, double tone, const std::string& pin) {
    SoftphoneOptions o;
    o.codec = codec;
    o.tone_hz = tone;
    auto phone = call(name, kAccessNumber, o);
    if (phone) phone->press("2" + c.number + "#" + pin + "#");
    return phone;
  };
  auto g = join_with("G-g722", media::CodecKind::kG722, kToneB, c.user_pin);
  ASSERT_TRUE(g);
  auto o = join_with("O-opus", media::CodecKind::kOpus, kToneC, c.moderator_pin);
  ASSERT_TRUE(o);
  ASSERT_TRUE(g->wait_digits_sent() && o->wait_digits_sent());
  EXPECT_TRUE(wait_log("codec=G722")) << "the G.722 offer was not answered with G.722";
  EXPECT_TRUE(wait_log("codec=opus")) << "the Opus offer was not answered with Opus";

  // Everyone hears the two others and not itself.
  auto both = [](double x, double y) {
    return [x, y](std::span<const std::int16_t> w) { return hears_tone(w, x, 0.25) && hears_tone(w, y, 0.25); };
  };
  struct Who {
    Softphone* phone;
    double own, x, y;
  };
  for (const Who& w : {Who{a.get(), kToneA, kToneB, kToneC}, Who{g.get(), kToneB, kToneA, kToneC},
                       Who{o.get(), kToneC, kToneA, kToneB}}) {
    auto heard = w.phone->wait_heard(w.phone->mark(), both(w.x, w.y), 15s, 500ms);
    EXPECT_TRUE(heard) << w.phone->name() << " does not hear the two others";
    const auto h = w.phone->listen(1000ms);
    EXPECT_TRUE(hears_tone(h, w.x, 0.25)) << w.phone->name() << ": " << w.x << " Hz share "
                                           << power_at(h, w.x) / (rms(h) * rms(h));
    EXPECT_TRUE(hears_tone(h, w.y, 0.25)) << w.phone->name() << ": " << w.y << " Hz share "
                                           << power_at(h, w.y) / (rms(h) * rms(h));
    EXPECT_TRUE(tone_absent(h, w.own)) << w.phone->name() << " hears itself: " << power_at(h, w.own);
  }
}

}  // namespace
}  // namespace confpro::conftest
