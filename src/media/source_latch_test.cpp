// SourceLatch: whose packets a session takes and where it sends (issue 11 item 3).
#include "media/source_latch.h"

#include <gtest/gtest.h>

namespace confpro::media {
namespace {

using namespace std::chrono_literals;
using V = SourceLatch::Verdict;

SockAddr at(const char* ip, std::uint16_t port) {
  return *make_sockaddr(ip, port);
}

const SockAddr kSdp = at("192.0.2.10", 4000);  // what the caller's SDP says
const SockAddr kSdpIpOtherPort = at("192.0.2.10", 4444);
const SockAddr kNat = at("198.51.100.7", 31000);  // where a NATed caller's packets really come from
const SockAddr kStranger = at("203.0.113.66", 5555);
const SteadyTime t0 = SteadyTime{} + 100s;

SourceLatch latch(RtpLatching mode, std::chrono::milliseconds window = 3000ms) {
  SourceLatch l(LatchOptions{mode, window, 1500ms});
  l.reset(kSdp);
  l.begin(t0);
  return l;
}

// A packet that passed validation: returns whether it was accepted.
bool deliver(SourceLatch& l, const SockAddr& from, SteadyTime now) {
  const V v = l.classify(from, now);
  if (v == V::kDrop) return false;
  l.learn(v, from, now);
  return true;
}

TEST(SourceLatch, StrictTakesOnlyTheSignalledAddressWhoeverSendsFirst) {
  auto l = latch(RtpLatching::kStrict);
  EXPECT_EQ(l.classify(kStranger, t0), V::kDrop);
  EXPECT_EQ(l.classify(kSdpIpOtherPort, t0), V::kDrop);
  EXPECT_EQ(l.classify(kSdp, t0 + 20ms), V::kAccept);
  EXPECT_FALSE(deliver(l, kStranger, t0 + 40ms));
  EXPECT_TRUE(*l.destination() == kSdp);
  EXPECT_FALSE(l.learned());
}

TEST(SourceLatch, StrictSendsToTheSignalledAddressBeforeAnyPacket) {
  auto l = latch(RtpLatching::kStrict);
  ASSERT_NE(l.destination(), nullptr);
  EXPECT_TRUE(*l.destination() == kSdp);
}

TEST(SourceLatch, NoAddressYetMeansNoDestinationAndStrictDropsEverything) {
  SourceLatch l(LatchOptions{RtpLatching::kStrict, 3000ms, 1500ms});
  l.reset(SockAddr{});
  EXPECT_EQ(l.destination(), nullptr);
  EXPECT_EQ(l.classify(kStranger, t0), V::kDrop);
}

TEST(SourceLatch, NatWindowLearnsANatedCallerInTheWindow) {
  auto l = latch(RtpLatching::kNatWindow);
  ASSERT_EQ(l.classify(kNat, t0 + 500ms), V::kCandidate);
  EXPECT_TRUE(l.learn(V::kCandidate, kNat, t0 + 500ms));
  EXPECT_TRUE(*l.destination() == kNat);
  EXPECT_TRUE(l.previous() == kSdp);
  EXPECT_EQ(l.classify(kNat, t0 + 520ms), V::kAccept);
}

TEST(SourceLatch, NatWindowLearnsNothingAfterTheWindow) {
  auto l = latch(RtpLatching::kNatWindow, 2000ms);
  EXPECT_FALSE(deliver(l, kNat, t0 + 2001ms));
  EXPECT_TRUE(*l.destination() == kSdp);
}

TEST(SourceLatch, TheWindowCountsFromBeginNotFromTheFirstPacket) {
  auto l = latch(RtpLatching::kNatWindow, 2000ms);
  EXPECT_FALSE(deliver(l, kNat, t0 + 2500ms));  // begin() was at t0: too late
  l.reset(at("192.0.2.11", 4000));              // a re-INVITE to a new address: a new window
  l.begin(t0 + 3000ms);
  EXPECT_TRUE(deliver(l, kNat, t0 + 3100ms));
}

TEST(SourceLatch, OnceTheSignalledAddressSendsNothingElseIsLearned) {
  auto l = latch(RtpLatching::kNatWindow);
  EXPECT_TRUE(deliver(l, kSdp, t0 + 20ms));
  EXPECT_FALSE(deliver(l, kStranger, t0 + 40ms));
  EXPECT_FALSE(deliver(l, kStranger, t0 + 2500ms));  // even with the caller quiet, inside the window
  EXPECT_TRUE(*l.destination() == kSdp);
}

TEST(SourceLatch, TheSignalledAddressTakesOverFromALearnedOneWheneverItSends) {
  auto l = latch(RtpLatching::kNatWindow);
  EXPECT_TRUE(deliver(l, kStranger, t0 + 20ms));  // a stranger was first
  EXPECT_TRUE(*l.destination() == kStranger);
  ASSERT_EQ(l.classify(kSdp, t0 + 40ms), V::kCandidate);  // still sending, but the caller's own address wins
  EXPECT_TRUE(l.learn(V::kCandidate, kSdp, t0 + 40ms));
  EXPECT_TRUE(*l.destination() == kSdp);
  EXPECT_TRUE(l.previous() == kStranger);
  EXPECT_FALSE(deliver(l, kStranger, t0 + 60ms));
  EXPECT_TRUE(l.classify(kSdp, t0 + 60s) == V::kAccept);  // also after the window
}

TEST(SourceLatch, ASourceStillSendingIsNotDisplacedByAnEqualOne) {
  auto l = latch(RtpLatching::kNatWindow);
  EXPECT_TRUE(deliver(l, kNat, t0 + 20ms));
  for (int i = 2; i < 50; ++i) {
    EXPECT_TRUE(deliver(l, kNat, t0 + i * 20ms));
    EXPECT_FALSE(deliver(l, kStranger, t0 + i * 20ms + 1ms)) << i;
  }
  EXPECT_TRUE(*l.destination() == kNat);
}

TEST(SourceLatch, AQuietSourceMayBeReplacedInsideTheWindowOnly) {
  auto l = latch(RtpLatching::kNatWindow, 3000ms);
  EXPECT_TRUE(deliver(l, kStranger, t0 + 20ms));
  EXPECT_FALSE(deliver(l, kNat, t0 + 1000ms));  // quiet for 980 ms only
  EXPECT_TRUE(deliver(l, kNat, t0 + 1600ms));   // quiet for 1.58 s: replaced
  EXPECT_TRUE(*l.destination() == kNat);
  auto late = latch(RtpLatching::kNatWindow, 3000ms);
  EXPECT_TRUE(deliver(late, kStranger, t0 + 20ms));
  EXPECT_FALSE(deliver(late, kNat, t0 + 3100ms));  // quiet long enough, but the window has closed
}

TEST(SourceLatch, TheSignalledIpOutranksAStrangerEvenWhileItSends) {
  auto l = latch(RtpLatching::kNatWindow);
  EXPECT_TRUE(deliver(l, kStranger, t0 + 20ms));
  EXPECT_TRUE(deliver(l, kSdpIpOtherPort, t0 + 40ms));  // a port-rewriting NAT in front of the right IP
  EXPECT_TRUE(*l.destination() == kSdpIpOtherPort);
  EXPECT_FALSE(deliver(l, kStranger, t0 + 60ms));  // and the stranger cannot take it back
}

TEST(SourceLatch, AnUnvalidatedCandidateChangesNothing) {
  // The session calls learn() only for packets that passed SRTP authentication and parsing: classify() alone
  // (a forged packet that failed them) neither moves the destination nor counts as the source sending.
  auto l = latch(RtpLatching::kNatWindow);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(l.classify(kStranger, t0 + i * 20ms), V::kCandidate);
  EXPECT_TRUE(*l.destination() == kSdp);
  EXPECT_TRUE(deliver(l, kNat, t0 + 2100ms));
  EXPECT_TRUE(*l.destination() == kNat);
}

TEST(SourceLatch, DropVerdictsNeverLearn) {
  auto l = latch(RtpLatching::kStrict);
  EXPECT_FALSE(l.learn(V::kDrop, kStranger, t0));
  EXPECT_TRUE(*l.destination() == kSdp);
}

}  // namespace
}  // namespace confpro::media
