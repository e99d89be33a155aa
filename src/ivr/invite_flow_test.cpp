#include "ivr/invite_flow.h"

#include <gtest/gtest.h>

#include "ivr/flow_fake_host.h"

namespace confpro::ivr {
namespace {

using testing::FakeHost;

domain::Booking conference() {
  domain::Booking b;
  b.number = "482913";
  b.language = domain::Language::kFrench;
  return b;
}

class InviteFlowTest : public ::testing::Test {
 protected:
  FakeHost host;
  FlowOptions options;
  InviteFlow flow{host, options, conference(), {"/tmp/intro.wav"}};
};

TEST_F(InviteFlowTest, SaysWhoInvitesThenAsksForOneInTheConferenceLanguage) {
  flow.start();
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"/tmp/intro.wav", "press-1-to-join"}));
  EXPECT_EQ(host.lang, domain::Language::kFrench);
  EXPECT_FALSE(host.entered) << "answering is not joining";
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.timer, options.invite_answer_timeout);
}

TEST_F(InviteFlowTest, OneJoinsAsUserEvenDuringTheIntro) {
  flow.start();
  host.type(flow, "1");
  ASSERT_TRUE(host.entered);
  EXPECT_EQ(host.entered->number, "482913");
  EXPECT_EQ(host.entered->role, domain::Role::kUser);
  EXPECT_EQ(host.stops, 1) << "the intro stops";
  EXPECT_FALSE(host.hung_up);
}

TEST_F(InviteFlowTest, OtherDigitsDoNotJoin) {
  flow.start();
  host.type(flow, "2#*90");
  EXPECT_FALSE(host.entered);
}

TEST_F(InviteFlowTest, NoOneAfterTwoIntrosHangsUp) {
  flow.start();
  host.finish_last_prompt(flow);
  flow.timeout();
  EXPECT_EQ(host.played.size(), 2u) << "the intro is said a second time";
  EXPECT_EQ(host.last().keys.back(), "press-1-to-join");
  host.finish_last_prompt(flow);
  flow.timeout();
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"goodbye"});
  EXPECT_FALSE(host.hung_up) << "goodbye is heard first";
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "invite-no-answer");
  EXPECT_FALSE(host.entered);
  host.type(flow, "1");
  EXPECT_FALSE(host.entered) << "too late";
}

TEST_F(InviteFlowTest, ConferenceLockedOrEndedMeanwhileIsSaidAndHungUp) {
  for (auto [outcome, prompt, reason] :
       {std::tuple{domain::JoinOutcome::kLocked, "conference-locked", "invite-refused-locked"},
        std::tuple{domain::JoinOutcome::kEnded, "conference-ended", "invite-refused-ended"},
        std::tuple{domain::JoinOutcome::kFull, "conference-full", "invite-refused-full"}}) {
    FakeHost h;
    h.outcome = outcome;
    InviteFlow f{h, options, conference(), {"invited-to-conference"}};
    f.start();
    h.type(f, "1");
    EXPECT_FALSE(h.entered);
    EXPECT_EQ(h.last().keys, (std::vector<std::string>{prompt, "goodbye"}));
    h.finish_last_prompt(f);
    EXPECT_EQ(h.hung_up, reason);
  }
}

TEST_F(InviteFlowTest, AnOldPromptEndingChangesNothing) {
  flow.start();
  const auto first = host.last().tag;
  host.finish_last_prompt(flow);
  flow.timeout();
  flow.prompt_done(first);
  EXPECT_FALSE(host.timer) << "the second intro is still playing";
}

}  // namespace
}  // namespace confpro::ivr
