// A call leg's rules (I1 routing, I2 refusals, S3 eject, invites by number): events in, effects out; no sockets,
// no SIP, no media, no store.
#include "conference/call_core.h"

#include <gtest/gtest.h>

namespace confpro::conference {
namespace {

using namespace call_effect;

template <typename E>
const E* find(const CallEffects& effects) {
  for (const auto& e : effects)
    if (const auto* x = std::get_if<E>(&e)) return x;
  return nullptr;
}
template <typename E>
bool has(const CallEffects& effects) {
  return find<E>(effects) != nullptr;
}

Arrival to(std::string dialled, bool access_number = false) {
  Arrival a;
  a.dialled = std::move(dialled);
  a.access_number = access_number;
  a.max_ivr_calls_per_source = 3;
  return a;
}

CallCore in_ivr(bool access_number = true) {
  auto [call, first] = CallCore::arrive(to(access_number ? "0800" : "734912", access_number));
  if (!access_number) (void)call.booking_read(true, false);
  (void)call.answered();
  return call;
}

TEST(CallCoreTest, AnAccessNumberIsAcceptedAtOnceAndStartsTheMenu) {
  auto [call, effects] = CallCore::arrive(to("0800", true));
  EXPECT_EQ(call.kind(), CallCore::Kind::kAccessNumber);
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_TRUE(has<Accept>(effects));
  auto answered = call.answered();
  EXPECT_EQ(call.state(), CallCore::State::kIvr);
  EXPECT_TRUE(has<StartFlow>(answered));
  EXPECT_TRUE(call.answered().empty()) << "a second answer changes nothing";
}

TEST(CallCoreTest, AConferenceNumberRingsWhileItsBookingIsReadThenIsAcceptedOr404) {
  auto [call, effects] = CallCore::arrive(to("734912"));
  ASSERT_TRUE(has<ReadBooking>(effects));
  EXPECT_EQ(find<ReadBooking>(effects)->number, "734912");
  EXPECT_FALSE(has<Accept>(effects)) << "not answered before the booking is known";
  EXPECT_TRUE(call.routing());
  EXPECT_TRUE(has<Accept>(call.booking_read(true, false)));
  EXPECT_EQ(call.kind(), CallCore::Kind::kDirect);
  EXPECT_TRUE(call.booking_read(true, false).empty()) << "a second answer is not a second accept";

  auto [unknown, first] = CallCore::arrive(to("999999"));
  auto refused = unknown.booking_read(false, false);
  ASSERT_TRUE(has<Reject>(refused));
  EXPECT_EQ(find<Reject>(refused)->status, 404);
  EXPECT_TRUE(has<Forget>(refused));
}

TEST(CallCoreTest, ACancelDuringTheBookingReadMeansTheAnswerIsDropped) {
  auto [call, first] = CallCore::arrive(to("734912"));
  auto ended = call.ended("cancelled");
  EXPECT_TRUE(has<Forget>(ended));
  EXPECT_FALSE(has<LeaveRoom>(ended));
  EXPECT_TRUE(call.booking_read(true, false).empty());
}

TEST(CallCoreTest, NothingDialledIs404AndAFloodFromOneSourceIs503UnlessTrusted) {
  auto [empty, e1] = CallCore::arrive(to(""));
  ASSERT_TRUE(has<Reject>(e1));
  EXPECT_EQ(find<Reject>(e1)->status, 404);

  Arrival flood = to("0800", true);
  flood.ivr_calls_from_source = 3;
  auto [c2, e2] = CallCore::arrive(flood);
  ASSERT_TRUE(has<Reject>(e2));
  EXPECT_EQ(find<Reject>(e2)->status, 503);
  EXPECT_TRUE(has<Forget>(e2));
  flood.trusted_peer = true;
  auto [c3, e3] = CallCore::arrive(flood);
  EXPECT_TRUE(has<Accept>(e3)) << "a trunk carries many callers from one address";
  flood.trusted_peer = false;
  flood.ivr_calls_from_source = 2;
  auto [c4, e4] = CallCore::arrive(flood);
  EXPECT_TRUE(has<Accept>(e4));
}

TEST(CallCoreTest, KeysGoToTheFlowInTheIvrToTheRoomInAConferenceAndNowhereWhileLeaving) {
  CallCore call = in_ivr();
  EXPECT_EQ(find<FlowDigit>(call.digit('5'))->digit, '5');
  auto entered = call.entered();
  EXPECT_TRUE(has<DropFlow>(entered));
  EXPECT_TRUE(call.in_room());
  EXPECT_EQ(find<RoomKey>(call.digit('*'))->digit, '*');
  (void)call.hang_up("bye");
  EXPECT_TRUE(call.digit('1').empty());
}

TEST(CallCoreTest, OnlyTheAwaitedPromptsEndReachesTheFlow) {
  CallCore call = in_ivr();
  call.playing(41);
  EXPECT_TRUE(call.prompt_done(40).empty()) << "an older prompt, replaced";
  EXPECT_TRUE(call.prompt_done(0).empty());
  EXPECT_EQ(find<FlowPromptDone>(call.prompt_done(41))->tag, 41u);
  EXPECT_TRUE(call.prompt_done(41).empty()) << "once";
}

TEST(CallCoreTest, TheFlowTimerFiresOnlyInTheIvr) {
  CallCore call = in_ivr();
  EXPECT_TRUE(has<FlowTimeout>(call.timer(CallTimer::kFlow)));
  (void)call.entered();
  EXPECT_TRUE(call.timer(CallTimer::kFlow).empty());
}

TEST(CallCoreTest, ARefusalIsHeardThenTheCallIsHungUp) {
  CallCore call = in_ivr();
  auto refused = call.refused({"conference-full", "goodbye"}, 77);
  ASSERT_TRUE(has<Play>(refused));
  EXPECT_EQ(find<Play>(refused)->keys, (std::vector<std::string>{"conference-full", "goodbye"}));
  EXPECT_TRUE(has<DropFlow>(refused));
  ASSERT_TRUE(has<Arm>(refused));
  EXPECT_EQ(find<Arm>(refused)->timer, CallTimer::kRefused);
  EXPECT_EQ(find<Arm>(refused)->after, CallCore::kRefusedPause);
  auto later = call.timer(CallTimer::kRefused);
  ASSERT_TRUE(has<Hangup>(later));
  EXPECT_EQ(find<Hangup>(later)->reason, "refused");
  EXPECT_FALSE(call.in_room());
  auto ended = call.ended("server-bye");
  EXPECT_FALSE(has<LeaveRoom>(ended)) << "never in the room";
}

TEST(CallCoreTest, AnEjectedCallerLeavesAtOnceHearsWhyAndIsHungUpAfterThePause) {
  CallCore call = in_ivr();
  (void)call.entered();
  auto ejected = call.ejected();
  ASSERT_TRUE(has<LeaveRoom>(ejected));
  EXPECT_EQ(find<LeaveRoom>(ejected)->reason, "ejected");
  EXPECT_EQ(find<Play>(ejected)->keys, std::vector<std::string>{"kicked"});
  EXPECT_EQ(find<Arm>(ejected)->timer, CallTimer::kEjected);
  EXPECT_TRUE(call.digit('1').empty()) << "no key reaches the room it left";
  EXPECT_TRUE(call.ejected().empty()) << "ejected once";
  auto later = call.timer(CallTimer::kEjected);
  ASSERT_TRUE(has<Hangup>(later));
  EXPECT_EQ(find<Hangup>(later)->reason, "ejected");
  EXPECT_TRUE(call.hang_up("shutdown").empty());
  auto ended = call.ended("server-bye");
  EXPECT_FALSE(has<LeaveRoom>(ended)) << "left the room when ejected, not a second time";
}

TEST(CallCoreTest, AShutdownDuringTheEjectPauseStillHangsUp) {
  CallCore call = in_ivr();
  (void)call.entered();
  (void)call.ejected();
  auto stop = call.hang_up("shutdown");
  ASSERT_TRUE(has<Hangup>(stop));
  EXPECT_TRUE(call.timer(CallTimer::kEjected).empty()) << "hung up already";
}

TEST(CallCoreTest, LeavingTheRoomSaysWhyTheCallEnded) {
  CallCore caller = in_ivr();
  (void)caller.entered();
  EXPECT_EQ(find<LeaveRoom>(caller.ended("caller-bye"))->reason, "hangup");

  CallCore dropped = in_ivr();
  (void)dropped.entered();
  EXPECT_EQ(find<LeaveRoom>(dropped.ended("session-expired"))->reason, "session-expired");

  CallCore ours = in_ivr();
  (void)ours.entered();
  auto hung = ours.hang_up("rtp-timeout");
  EXPECT_TRUE(has<Hangup>(hung));
  EXPECT_FALSE(has<LeaveRoom>(hung)) << "the room is left when SIP reports the end";
  EXPECT_TRUE(ours.hang_up("again").empty());
  EXPECT_EQ(find<LeaveRoom>(ours.ended("server-bye"))->reason, "rtp-timeout");

  CallCore gone = in_ivr();
  (void)gone.entered();
  gone.left_room();  // the conference ended and took it out
  EXPECT_FALSE(has<LeaveRoom>(gone.ended("server-bye")));
}

TEST(CallCoreTest, AnInviteRingsIsAnsweredJoinsAndIsReportedOnce) {
  CallCore invite = CallCore::dial_out();
  EXPECT_EQ(find<InviteUpdate>(invite.progress(180))->state, "ringing");
  EXPECT_TRUE(invite.progress(100).empty());
  auto answered = invite.answered(false);
  EXPECT_EQ(find<InviteUpdate>(answered)->state, "answered");
  EXPECT_TRUE(has<StartFlow>(answered));
  EXPECT_TRUE(invite.before_conference()) << "a place it may take";
  EXPECT_TRUE(invite.invite_joined().empty()) << "not in the room yet";
  (void)invite.entered();
  EXPECT_EQ(find<InviteUpdate>(invite.invite_joined())->state, "joined");
  EXPECT_TRUE(invite.invite_joined().empty());
  EXPECT_FALSE(invite.before_conference());
  EXPECT_FALSE(has<InviteUpdate>(invite.ended("remote-bye"))) << "a joined invite has no outcome to report";
}

TEST(CallCoreTest, AnInviteAnsweredAfterTheConferenceEndedIsHungUp) {
  CallCore invite = CallCore::dial_out();
  auto answered = invite.answered(true);
  EXPECT_FALSE(has<StartFlow>(answered));
  EXPECT_EQ(find<Hangup>(answered)->reason, "conference-ended");
  auto ended = invite.ended("server-bye");
  EXPECT_EQ(find<InviteUpdate>(ended)->state, "refused");
  EXPECT_EQ(find<InviteUpdate>(ended)->reason, "ended");
}

TEST(CallCoreTest, HowAnInviteThatNeverJoinedEnded) {
  using O = std::pair<std::string, std::string>;
  EXPECT_EQ(CallCore::invite_outcome("invite-refused-declined", true, "server-bye"), (O{"refused", "declined"}));
  EXPECT_EQ(CallCore::invite_outcome("invite-no-answer", true, "server-bye"), (O{"no-answer", "no-key"}));
  EXPECT_EQ(CallCore::invite_outcome("refused", true, "server-bye"), (O{"refused", "refused"}));
  EXPECT_EQ(CallCore::invite_outcome("", true, "remote-bye"), (O{"refused", "hung-up"}));
  EXPECT_EQ(CallCore::invite_outcome("", false, "sip-486"), (O{"failed", "sip-486"}));
  for (const char* cause : {"timeout", "sip-408", "sip-480", "sip-487"})
    EXPECT_EQ(CallCore::invite_outcome("", false, cause), (O{"no-answer", cause}));

  CallCore busy = CallCore::dial_out();
  EXPECT_EQ(find<InviteUpdate>(busy.ended("sip-486"))->state, "failed");
}

}  // namespace
}  // namespace confpro::conference
