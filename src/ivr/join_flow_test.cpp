#include "ivr/join_flow.h"

#include <gtest/gtest.h>

#include "ivr/flow_fake_host.h"
#include "ivr/flow_menu.h"

namespace confpro::ivr {
namespace {

using testing::FakeHost;

domain::Booking conference() {
  domain::Booking b;
  b.number = "482913";
  b.user_pin = "604817";
  b.moderator_pin = "915372";
  b.language = domain::Language::kFrench;
  return b;
}

class JoinFlowTest : public ::testing::Test {
 protected:
  JoinFlowTest() { host.bookings["482913"] = conference(); }
  FakeHost host;
  FlowOptions options;
};

TEST_F(JoinFlowTest, AsksNumberThenPinThenEntersAsUser) {
  JoinFlow flow(host, options);
  flow.start();
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-conference-number"});
  host.type(flow, "482913#");
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-pin"});
  EXPECT_EQ(host.lang, domain::Language::kFrench) << "prompts switch to the conference's language";
  host.type(flow, "604817#");
  ASSERT_TRUE(host.entered);
  EXPECT_EQ(host.entered->number, "482913");
  EXPECT_EQ(host.entered->role, domain::Role::kUser);
  EXPECT_FALSE(host.hung_up);
}

TEST_F(JoinFlowTest, ModeratorPinGivesModeratorRole) {
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "482913#915372#");
  ASSERT_TRUE(host.entered);
  EXPECT_EQ(host.entered->role, domain::Role::kModerator);
}

TEST_F(JoinFlowTest, DirectDialStartsAtPin) {
  JoinFlow flow(host, options, conference());
  flow.start();
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-pin"});
  host.type(flow, "604817#");
  EXPECT_TRUE(host.entered);
}

// Issue 12 item 7: dialling an ended (or not yet valid) conference's own number says so before any PIN.
TEST_F(JoinFlowTest, DirectDialToAnEndedConferenceSaysSoBeforeAskingThePin) {
  host.outcome = domain::JoinOutcome::kEnded;
  JoinFlow flow(host, options, conference());
  flow.start();
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"conference-ended", "goodbye"}));
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "ended");
  EXPECT_FALSE(host.entered);
  host.outcome = domain::JoinOutcome::kNotYetValid;
  JoinFlow early(host, options, conference());
  early.start();
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"conference-not-yet-valid", "goodbye"}));
}

TEST_F(JoinFlowTest, TypingDuringPromptStopsIt) {
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "4");
  EXPECT_EQ(host.stops, 1);
}

TEST_F(JoinFlowTest, UnknownNumberThreeTimesSaysGoodbye) {
  JoinFlow flow(host, options);
  flow.start();
  for (int i = 0; i < 2; ++i) {
    host.type(flow, "111111#");
    EXPECT_EQ(host.last().keys, std::vector<std::string>{"conference-unknown"});
    host.finish_last_prompt(flow);
    EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-conference-number"});
  }
  host.type(flow, "111111#");
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"conference-unknown", "goodbye"}));
  EXPECT_FALSE(host.hung_up) << "hangs up only after the goodbye was heard";
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "unknown-conference");
  EXPECT_FALSE(host.entered);
}

TEST_F(JoinFlowTest, WrongPinThreeTimesSaysGoodbye) {
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "482913#");
  for (int i = 0; i < 2; ++i) {
    host.type(flow, "000001#");
    EXPECT_EQ(host.last().keys, std::vector<std::string>{"invalid-pin"});
    host.finish_last_prompt(flow);
    EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-pin"});
  }
  host.type(flow, "000001#");
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "wrong-pin");
  EXPECT_FALSE(host.entered);
}

TEST_F(JoinFlowTest, LockedOutCallerIsRefusedEvenWithTheRightPin) {
  host.locked_out = true;
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "482913#604817#");
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"too-many-failures", "goodbye"}));
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "pin-locked-out");
  EXPECT_FALSE(host.entered);
}

struct Refusal {
  domain::JoinOutcome outcome;
  const char* prompt;
  const char* reason;
};
class JoinRefusalTest : public JoinFlowTest, public ::testing::WithParamInterface<Refusal> {};

TEST_P(JoinRefusalTest, RefusedWithTheRightPromptThenHangup) {
  host.outcome = GetParam().outcome;
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "482913#");
  if (host.last().keys.front() == "enter-pin") host.type(flow, "604817#");
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{GetParam().prompt, "goodbye"}));
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, GetParam().reason);
  EXPECT_FALSE(host.entered);
}

INSTANTIATE_TEST_SUITE_P(
    Outcomes, JoinRefusalTest,
    ::testing::Values(Refusal{domain::JoinOutcome::kNotYetValid, "conference-not-yet-valid", "not-yet-valid"},
                      Refusal{domain::JoinOutcome::kEnded, "conference-ended", "ended"},
                      Refusal{domain::JoinOutcome::kFull, "conference-full", "full"},
                      Refusal{domain::JoinOutcome::kLocked, "conference-locked", "locked"},
                      Refusal{domain::JoinOutcome::kNotAllowed, "not-on-allow-list", "not-allowed"}));

TEST_F(JoinFlowTest, AnnounceRecordsTheNameAfterTheBeep) {
  host.bookings["482913"].options.announce_users = true;
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "482913#604817#");
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"record-name", "beep"}));
  EXPECT_EQ(host.recordings, 0);
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.recordings, 1);
  flow.name_recorded("/tmp/name.wav", true);
  ASSERT_TRUE(host.entered);
  EXPECT_EQ(host.entered->name_file, "/tmp/name.wav");
}

TEST_F(JoinFlowTest, SilenceRepromptsThenSaysGoodbye) {
  JoinFlow flow(host, options);
  flow.start();
  host.finish_last_prompt(flow);
  ASSERT_TRUE(host.timer);
  EXPECT_EQ(*host.timer, options.first_digit_timeout);
  for (int i = 0; i < options.max_silences; ++i) {
    flow.timeout();
    EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-conference-number"});
    host.finish_last_prompt(flow);
  }
  flow.timeout();
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"no-input", "goodbye"}));
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.hung_up, "no-input");
}

TEST_F(JoinFlowTest, PauseAfterDigitsEndsTheEntryWithoutHash) {
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "482913");
  ASSERT_TRUE(host.timer);
  EXPECT_EQ(*host.timer, options.digit_timeout);
  flow.timeout();
  host.deliver(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-pin"});
}

// Issue 13: the booking look-up and the PIN check run off the control loop; their answers come later.
TEST_F(JoinFlowTest, WaitsForTheLookupAndKeepsTheDigitsTypedMeanwhile) {
  host.auto_deliver = false;
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "482913#");
  EXPECT_EQ(host.pending.size(), 1u) << "the booking is asked for";
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-conference-number"}) << "nothing said while it runs";
  host.type(flow, "604817#");  // the caller goes on with the PIN before the answer
  flow.timeout();              // stray events while waiting change nothing
  flow.prompt_done(host.last().tag);
  EXPECT_EQ(host.pending.size(), 1u);
  EXPECT_FALSE(host.hung_up);
  host.deliver(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-pin"});
  ASSERT_TRUE(host.entered) << "the PIN typed during the look-up was kept and checked";
  EXPECT_EQ(host.entered->role, domain::Role::kUser);
}

TEST_F(JoinFlowTest, DigitsTypedDuringALookupThatFailsAreDropped) {
  host.auto_deliver = false;
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "111111#604817#");
  host.deliver(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"conference-unknown"});
  EXPECT_TRUE(host.pending.empty()) << "no digit was taken as the next number";
  host.finish_last_prompt(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-conference-number"});
}

TEST_F(JoinFlowTest, PinCheckAnswersLaterAndOnlyTheAwaitedAnswerCounts) {
  host.auto_deliver = false;
  JoinFlow flow(host, options, conference());
  flow.start();
  host.type(flow, "000001#");
  ASSERT_EQ(host.pending.size(), 1u);
  const auto played = host.played.size();
  flow.pin_checked(12345, PinCheck{domain::Role::kModerator, false});  // not the request it waits for
  flow.booking_found(12345, conference());
  EXPECT_EQ(host.played.size(), played);
  EXPECT_FALSE(host.entered);
  host.deliver(flow);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"invalid-pin"});
}

TEST_F(JoinFlowTest, AnAnswerAfterTheCallerWasToldGoodbyeChangesNothing) {
  host.auto_deliver = false;
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "482913#");
  auto late = std::move(host.pending.front());  // the answer is still on its way …
  host.pending.clear();
  flow.timeout();  // (ignored: waiting)
  JoinFlow other(host, options);
  other.start();
  for (int i = 0; i < 3; ++i) {
    host.type(other, "1#");
    host.deliver(other);
    host.finish_last_prompt(other);
  }
  EXPECT_EQ(host.hung_up, "unknown-conference");
  late(other);  // … and reaches a flow that did not ask for it, now hung up
  EXPECT_EQ(host.hung_up, "unknown-conference");
  EXPECT_FALSE(host.entered);
  EXPECT_TRUE(host.pending.empty());
}

TEST_F(JoinFlowTest, StarClearsTheEntry) {
  JoinFlow flow(host, options);
  flow.start();
  host.type(flow, "99*482913#");
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-pin"});
}

TEST(MenuFlowTest, TwoLeadsToJoinAndOneToCreate) {
  FakeHost host;
  FlowOptions options;
  MenuFlow join(host, options);
  join.start();
  EXPECT_EQ(host.last().keys, (std::vector<std::string>{"welcome", "main-menu"}));
  join.digit('2');
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-conference-number"});
  MenuFlow create(host, options);
  create.start();
  create.digit('1');
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-account-number"});
}

TEST(MenuFlowTest, PassesTheHostsAnswersToTheChosenFlow) {
  FakeHost host;
  host.bookings["482913"] = conference();
  host.auto_deliver = false;
  FlowOptions options;
  MenuFlow menu(host, options);
  menu.start();
  host.type(menu, "2482913#");
  ASSERT_EQ(host.pending.size(), 1u);
  host.deliver(menu);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-pin"});
  host.type(menu, "915372#");
  host.deliver(menu);
  ASSERT_TRUE(host.entered);
  EXPECT_EQ(host.entered->role, domain::Role::kModerator);
}

TEST(MenuFlowTest, WrongKeyThenMenuAgain) {
  FakeHost host;
  FlowOptions options;
  MenuFlow menu(host, options);
  menu.start();
  menu.digit('7');
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"invalid-choice"});
  host.finish_last_prompt(menu);
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"main-menu"});
  menu.digit('2');
  EXPECT_EQ(host.last().keys, std::vector<std::string>{"enter-conference-number"});
}

}  // namespace
}  // namespace confpro::ivr
