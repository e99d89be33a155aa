#include "ivr/create_flow.h"

#include <gtest/gtest.h>

#include "ivr/flow_fake_host.h"

namespace confpro::ivr {
namespace {

using testing::FakeHost;

class CreateFlowTest : public ::testing::Test {
 protected:
  CreateFlowTest() { host.accounts["4242"] = "1357"; host.accounts["0611223344"] = "2468"; }
  FakeHost host;
  FlowOptions options;
};

TEST_F(CreateFlowTest, CreatesWithGivenValuesAndReadsTheNumberBack) {
  CreateFlow flow(host, options);
  flow.start();
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-account-number"});
  host.type(flow, "4242#");
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-account-pin"});
  host.type(flow, "1357#");
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"how-many-minutes"});
  host.type(flow, "45#");
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"how-many-participants"});
  host.type(flow, "8#");
  ASSERT_TRUE(host.created);
  EXPECT_EQ(*host.created, std::make_pair(45, 8));
  const auto& readback = host.last().keys;
  EXPECT_EQ(readback.front(), "conference-created");
  EXPECT_EQ(readback.back(), "press-1-to-repeat");
  EXPECT_NE(std::find(readback.begin(), readback.end(), "digits/7"), readback.end());
}

TEST_F(CreateFlowTest, HashAloneUsesCallerNumberAndDefaults) {
  CreateFlow flow(host, options);
  flow.start();
  host.type(flow, "#2468#");
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"how-many-minutes"});
  host.type(flow, "##");
  ASSERT_TRUE(host.created);
  EXPECT_EQ(*host.created, std::make_pair(60, 10));
}

TEST_F(CreateFlowTest, OneRepeatsTheReadBack) {
  CreateFlow flow(host, options);
  flow.start();
  host.type(flow, "4242#1357###");
  auto count = host.played.size();
  host.finish_last_prompt(flow);
  flow.digit('1');
  EXPECT_EQ(host.played.size(), count + 1);
  EXPECT_EQ(host.last().keys.front(), "conference-created");
  host.finish_last_prompt(flow);
  flow.timeout();
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "created");
}

TEST_F(CreateFlowTest, WrongPinAsksAgainThenGivesUp) {
  CreateFlow flow(host, options);
  flow.start();
  host.type(flow, "4242#0000#");
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"invalid-account"});
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-account-number"});
  host.type(flow, "4242#0000#");
  host.finish_last_prompt(flow);
  host.type(flow, "4242#0000#");
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"invalid-account", "goodbye"}));
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "wrong-account");
  EXPECT_FALSE(host.created);
}

TEST_F(CreateFlowTest, OutOfPolicyValuesAreAskedAgain) {
  host.create_fails = true;
  host.create_error = Error::invalid("duration_minutes", "too long");
  CreateFlow flow(host, options);
  flow.start();
  host.type(flow, "4242#1357#9999#5#");
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"value-out-of-range"});
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"how-many-minutes"});
}

TEST_F(CreateFlowTest, NotAllowedSaysSoAndHangsUp) {
  host.create_fails = true;
  host.create_error = Error::denied("policy");
  CreateFlow flow(host, options);
  flow.start();
  host.type(flow, "4242#1357###");
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"not-allowed-to-create", "goodbye"}));
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "not-allowed");
}

// B7: the booking policy refuses the caller right after the PIN, before any question, with its reason.
TEST_F(CreateFlowTest, PolicyRefusalAfterThePinIsSaidThenTheCallEnds) {
  host.auth_refusal = Error::denied("too many").with_reason("too_many_bookings");
  CreateFlow flow(host, options);
  flow.start();
  host.type(flow, "4242#1357#45#");
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"too-many-conferences", "goodbye"}));
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "not-allowed");
  EXPECT_FALSE(host.created);
  host.auth_refusal = Error::denied("refused").with_reason("booking_refused");
  host.hung_up.reset();
  CreateFlow again(host, options);
  again.start();
  host.type(again, "4242#1357#");
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"not-allowed-to-create", "goodbye"}));
}

// Issue 13: the account check (argon2id) and the booking write run off the control loop; answers come later.
TEST_F(CreateFlowTest, WaitsForTheAccountCheckAndTheCreationKeepingDigitsTypedMeanwhile) {
  host.auto_deliver = false;
  CreateFlow flow(host, options);
  flow.start();
  host.type(flow, "4242#1357#");
  ASSERT_EQ(host.pending.size(), 1u) << "the account is being checked";
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-account-pin"});
  host.type(flow, "45#");  // the duration, typed before the answer
  flow.timeout();
  host.deliver(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"how-many-participants"});
  host.type(flow, "8#");
  ASSERT_EQ(host.pending.size(), 1u) << "the booking is being written";
  const auto played = host.played.size();
  flow.booking_created(12345, domain::Booking{});  // not the awaited answer
  flow.timeout();
  EXPECT_EQ(host.played.size(), played);
  host.deliver(flow);
  ASSERT_TRUE(host.created);
  EXPECT_EQ(*host.created, std::make_pair(45, 8));
  EXPECT_EQ(host.last().keys.front(), "conference-created");
}

TEST_F(CreateFlowTest, AWrongPinAnswerDropsTheDigitsTypedMeanwhile) {
  host.auto_deliver = false;
  CreateFlow flow(host, options);
  flow.start();
  host.type(flow, "4242#9999#45#");
  host.deliver(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"invalid-account"});
  EXPECT_TRUE(host.pending.empty());
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-account-number"});
}

TEST_F(CreateFlowTest, DirectoryDownApologisesAndHangsUp) {
  host.auth_error = Error::unavailable("directory unavailable");
  CreateFlow flow(host, options);
  flow.start();
  host.type(flow, "4242#1357#");
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"conference-not-created", "goodbye"}));
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "directory-unavailable");
  EXPECT_FALSE(host.created);
}

}  // namespace
}  // namespace confpro::ivr
