// Inside a conference (FEATURES.md B3–B5, I2, I4; issue 5 "Tests"): full, listen-only, *1 mute, wait-for-leader.
// Asserts on what callers hear.
#include <atomic>
#include <thread>

#include "tests/media/phone.h"

#include "e2e.h"

namespace confpro::conftest {
namespace {


// Issue 11 item 3, the whole server: a stranger who sends RTP to a participant's port from another address
// (scanning the RTP range finds it) from the moment the call is answered — before the participant's phone sends
// anything — is never heard in the room and is sent nothing, while the participant hears its prompts, keys its
// PIN, hears and is heard as usual.
TEST_F(ConferenceTest, AStrangerSendingToAParticipantsRtpPortIsNeitherHeardNorSentTheRoom) {
  const Conf c = start_with_booking("rtp-stranger");
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  ASSERT_TRUE(wait_log("joined as user"));
  SoftphoneOptions o;
  o.tone_hz = kToneB;
  o.rtp_start_delay = 1500ms;  // the stranger is first
  auto b = call("B", kAccessNumber, o);
  ASSERT_TRUE(b);
  const std::string target = b->server_rtp();
  const auto colon = target.rfind(':');
  ASSERT_NE(colon, std::string::npos);
  media::test::Phone stranger(media::CodecKind::kPcmu, kToneC, std::nullopt, "127.0.0.77");
  stranger.connect(static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1))));
  std::atomic<bool> stop{false};
  std::thread sender([&] {  // 20 ms frames until the test ends, 40 s at most
    for (int i = 0; i < 2000 && !stop.load(); ++i) {
      stranger.send_frame();
      std::this_thread::sleep_for(20ms);
      stranger.receive();
    }
  });
  std::this_thread::sleep_for(1600ms);
  b->press("2" + c.number + "#" + c.moderator_pin + "#");
  ASSERT_TRUE(b->wait_digits_sent());
  EXPECT_TRUE(wait_log("joined as moderator")) << "B's digits did not get through";
  EXPECT_TRUE(wait_tone(*a, kToneB)) << "A does not hear B";
  EXPECT_TRUE(wait_tone(*b, kToneA)) << "B does not hear A";
  const auto heard_by_a = a->listen(1500ms);
  stop = true;
  sender.join();
  EXPECT_TRUE(tone_absent(heard_by_a, kToneC)) << "the stranger is heard in the room";
  EXPECT_TRUE(never_dominant(a->heard_all(), kToneC));
  EXPECT_EQ(stranger.datagrams_received(), 0u) << "the stranger was sent the room";
  EXPECT_TRUE(wait_log("dropped: not the caller's address")) << "the stranger's packets were not reported";
}

TEST_F(ConferenceTest, FullConferenceRefusesTheNextCaller) {
  const Conf c = start_with_booking("full", {"--max-participants", "2"});
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  auto b = join_via_menu("B", c, c.moderator_pin, kToneB);
  ASSERT_TRUE(b);
  ASSERT_TRUE(wait_tone(*a, kToneB)) << "A and B are not in the conference together";

  auto third = join_via_menu("C-third", c, c.user_pin);
  ASSERT_TRUE(third);
  ASSERT_TRUE(third->wait_ended(20s)) << "the third caller was not hung up";
  EXPECT_TRUE(third->bye_received());
  EXPECT_FALSE(third->heard_all().empty()) << "the refused caller heard no prompt";
  EXPECT_TRUE(never_dominant(third->heard_all(), kToneA));
  EXPECT_TRUE(never_dominant(third->heard_all(), kToneB));
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + std::to_string(c.id),
            std::vector<std::string>{"2"});
  // A and B are undisturbed.
  EXPECT_TRUE(hears_tone(a->listen(600ms), kToneB, 0.8));
}

TEST_F(ConferenceTest, ListenOnlyUsersAreNotHeard) {
  const Conf c = start_with_booking("listen-only", {"--listen-only"});
  ASSERT_FALSE(HasFatalFailure());
  auto m = join_via_menu("M-moderator", c, c.moderator_pin, kToneB);
  ASSERT_TRUE(m);
  auto u = join_via_menu("U-listener", c, c.user_pin, kToneA);
  ASSERT_TRUE(u);
  ASSERT_TRUE(wait_tone(*u, kToneB)) << "the listen-only user does not hear the moderator";
  ASSERT_TRUE(wait_log("joined as user"));
  std::this_thread::sleep_for(1s);  // the moderator's "placed into conference" and the like are over
  const auto hm = m->listen(1500ms);
  EXPECT_TRUE(tone_absent(hm, kToneA)) << "the moderator hears the listen-only user: 440 Hz power "
                                       << power_at(hm, kToneA);
  // *1 does not unmute a listen-only user.
  u->press("*1");
  ASSERT_TRUE(u->wait_digits_sent());
  std::this_thread::sleep_for(500ms);
  const auto hm2 = m->listen(1500ms);
  EXPECT_TRUE(tone_absent(hm2, kToneA)) << "*1 made the listen-only user heard";
}

TEST_F(ConferenceTest, StarOneMutesAndUnmutesSelf) {
  const Conf c = start_with_booking("mute");
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  auto b = join_via_menu("B", c, c.user_pin, kToneB);
  ASSERT_TRUE(b);
  ASSERT_TRUE(wait_tone(*b, kToneA)) << "B does not hear A";
  ASSERT_TRUE(wait_tone(*a, kToneB)) << "A does not hear B";

  a->press("*1");
  ASSERT_TRUE(a->wait_digits_sent());
  auto gone = b->wait_heard(b->mark(), [](auto w) { return tone_absent(w, kToneA); }, 3s);
  ASSERT_TRUE(gone) << "B still hears A after A pressed *1 (B heard " << b->mark() << " samples, "
                    << b->packets_received() << " packets; " << tone_absent(b->heard_last(500ms), kToneA) << ")";
  const auto muted = b->listen(1500ms);
  EXPECT_TRUE(tone_absent(muted, kToneA)) << "B hears the muted A: 440 Hz power " << power_at(muted, kToneA);
  EXPECT_TRUE(hears_tone(a->listen(500ms), kToneB, 0.3)) << "the muted A no longer hears B";

  a->press("*1");
  ASSERT_TRUE(a->wait_digits_sent());
  ASSERT_TRUE(wait_tone(*b, kToneA, 3s)) << "B does not hear A again after the second *1";
}

TEST_F(ConferenceTest, WaitingUsersHearMusicNotEachOtherUntilTheLeaderJoins) {
  const Conf c = start_with_booking("wait-for-leader", {"--wait-for-leader"});
  ASSERT_FALSE(HasFatalFailure());
  auto u1 = join_via_menu("U1", c, c.user_pin, kToneA);
  ASSERT_TRUE(u1);
  ASSERT_TRUE(wait_log("(waiting for the leader)"));
  auto u2 = join_via_menu("U2", c, c.user_pin, kToneB);
  ASSERT_TRUE(u2);
  // Both wait: they hear music on hold (not silence), not each other.
  std::this_thread::sleep_for(3s);
  const auto h1 = u1->listen(3000ms), h2 = u2->listen(3000ms);
  EXPECT_FALSE(is_silent(h1)) << "U1 waits in silence, no music";
  EXPECT_FALSE(is_silent(h2)) << "U2 waits in silence, no music";
  EXPECT_TRUE(never_dominant(h1, kToneB)) << "a waiting user hears the other waiting user";
  EXPECT_TRUE(never_dominant(h2, kToneA)) << "a waiting user hears the other waiting user";
  EXPECT_EQ(booking_state(c), "scheduled") << "the conference opened without its leader";

  auto m = join_via_menu("M-leader", c, c.moderator_pin);
  ASSERT_TRUE(m);
  EXPECT_TRUE(wait_tone(*u1, kToneB, 15s)) << "after the leader joined, U1 does not hear U2";
  EXPECT_TRUE(wait_tone(*u2, kToneA, 15s)) << "after the leader joined, U2 does not hear U1";
  EXPECT_EQ(booking_state(c), "active");
}

TEST_F(ConferenceTest, ParticipantCanLeaveAndRejoinWhileTheConferenceRuns) {
  const Conf c = start_with_booking("rejoin");
  ASSERT_FALSE(HasFatalFailure());
  auto a = join_via_menu("A", c, c.user_pin, kToneA);
  ASSERT_TRUE(a);
  {
    auto b = join_via_menu("B", c, c.user_pin, kToneB);
    ASSERT_TRUE(b);
    ASSERT_TRUE(wait_tone(*a, kToneB)) << "A does not hear B";
    EXPECT_TRUE(b->hang_up());
  }
  ASSERT_TRUE(wait_log("left: hangup"));
  auto gone = a->wait_heard(a->mark(), [](auto w) { return tone_absent(w, kToneB); }, 3s);
  EXPECT_TRUE(gone) << "A still hears B after B hung up";
  auto b2 = join_via_menu("B-again", c, c.user_pin, kToneB);
  ASSERT_TRUE(b2);
  EXPECT_TRUE(wait_tone(*a, kToneB)) << "A does not hear B after B rejoined";
  EXPECT_TRUE(wait_tone(*b2, kToneA)) << "B does not hear A after rejoining";
  EXPECT_SQL_EQ(*server, "SELECT count(*), count(left_at) FROM participant_connections WHERE booking_id = " +
                        std::to_string(c.id),
            std::vector<std::string>{"3|1"});
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM conference_sessions WHERE booking_id = " + std::to_string(c.id),
            std::vector<std::string>{"1"})
      << "leaving and rejoining must stay in the same session";
}

}  // namespace
}  // namespace confpro::conftest
