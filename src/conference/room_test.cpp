// The room's rules (B3–B5, I2, I4, moderator and console actions) with a fake clock: events in, effects out; no
// sockets, no media, no store.
#include "conference/room.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/timezone.h"

namespace confpro::conference {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kStart = from_epoch_ms(1'800'000'000'000);  // 2027-01-15 08:00:00 UTC

domain::Booking booking(int duration = 60, int max_participants = 5) {
  domain::Booking b;
  b.id = BookingId{7};
  b.name = "Sync";
  b.owner = "alice";
  b.number = "734912";
  b.user_pin = "482915";
  b.moderator_pin = "739164";
  b.valid_from = kStart;
  b.validity_days = 1;
  b.duration_minutes = duration;
  b.max_participants = max_participants;
  b.language = domain::Language::kEnglish;
  return b;
}

RoomOptions options(int empty_end_minutes = 0) {
  RoomOptions o;
  o.limits.warning_minutes = 5;
  o.limits.empty_end_minutes = empty_end_minutes;
  return o;
}

Entrant caller(int n, domain::Role role = domain::Role::kUser, std::string name_file = "") {
  Entrant e;
  e.call = CallId{static_cast<std::uint64_t>(100 + n)};
  e.media = MediaSessionId{static_cast<std::uint64_t>(200 + n)};
  e.role = role;
  e.language = domain::Language::kEnglish;
  e.caller_number = "06000000" + std::to_string(10 + n);
  e.name_file = std::move(name_file);
  return e;
}

template <typename E>
std::vector<E> all(const Effects& fx) {
  std::vector<E> out;
  for (const auto& f : fx)
    if (const auto* e = std::get_if<E>(&f)) out.push_back(*e);
  return out;
}
template <typename E>
int count(const Effects& fx) {
  return static_cast<int>(all<E>(fx).size());
}
// The keys played to participant `to`, all plays in order.
std::vector<std::vector<std::string>> heard(const Effects& fx, ParticipantId to) {
  std::vector<std::vector<std::string>> out;
  for (const auto& p : all<effect::Play>(fx))
    if (p.to == to) out.push_back(p.keys);
  return out;
}
std::vector<std::string> events(const Effects& fx) {
  std::vector<std::string> out;
  for (const auto& e : all<effect::Emit>(fx)) out.push_back(e.event.type);
  return out;
}
bool has_event(const Effects& fx, const std::string& type) {
  auto e = events(fx);
  return std::find(e.begin(), e.end(), type) != e.end();
}
std::optional<effect::Arm> armed(const Effects& fx, RoomTimer t) {
  for (const auto& a : all<effect::Arm>(fx))
    if (a.timer == t) return a;
  return std::nullopt;
}

struct RoomTest : ::testing::Test {
  Room room{booking(), options()};
  TimePoint now = kStart + minutes{10};
  std::uint64_t next = 1;

  // Enters caller n; returns its id (fails the test when refused).
  ParticipantId enter(int n, domain::Role role = domain::Role::kUser, Effects* fx = nullptr,
                      std::string name_file = "") {
    ParticipantId id{next++};
    std::optional<domain::JoinOutcome> refused;
    auto out = room.enter(id, caller(n, role, std::move(name_file)), now, &refused);
    EXPECT_FALSE(refused) << "caller " << n << " refused: " << domain::to_string(*refused);
    if (fx) *fx = out;
    return id;
  }
  std::optional<domain::JoinOutcome> refused_entry(int n, domain::Role role = domain::Role::kUser) {
    std::optional<domain::JoinOutcome> refused;
    (void)room.enter(ParticipantId{next++}, caller(n, role), now, &refused);
    return refused;
  }
  Effects keys(ParticipantId id, const std::string& digits) {
    Effects all_fx;
    for (char d : digits) {
      auto fx = room.key(id, d, now);
      all_fx.insert(all_fx.end(), fx.begin(), fx.end());
    }
    return all_fx;
  }
};

// --- B3: opening and the session

TEST_F(RoomTest, TheFirstCallerOpensTheSessionHearsTheyAreAloneAndIsRecorded) {
  Effects fx;
  auto a = enter(1, domain::Role::kUser, &fx);
  EXPECT_TRUE(room.opened());
  EXPECT_EQ(room.booking().state, domain::BookingState::kActive);
  EXPECT_EQ(room.booking().opened_at, now);
  EXPECT_EQ(count<effect::StoreOpening>(fx), 1);
  EXPECT_EQ(count<effect::OpenSession>(fx), 1);
  EXPECT_EQ(count<effect::RecordConnection>(fx), 1);
  EXPECT_EQ(count<effect::Attach>(fx), 1);
  EXPECT_EQ(heard(fx, a), (std::vector<std::vector<std::string>>{{"only-person"}}));
  EXPECT_EQ(events(fx), (std::vector<std::string>{"opened", "joined"}));
  // The end and the warning are armed at the conference clock's times.
  ASSERT_TRUE(armed(fx, RoomTimer::kEnd));
  EXPECT_EQ(armed(fx, RoomTimer::kEnd)->at, now + minutes{60});
  ASSERT_TRUE(armed(fx, RoomTimer::kWarning));
  EXPECT_EQ(armed(fx, RoomTimer::kWarning)->at, now + minutes{55});
}

TEST_F(RoomTest, TheSecondCallerIsPlacedInWithoutReopening) {
  enter(1);
  Effects fx;
  auto b = enter(2, domain::Role::kUser, &fx);
  EXPECT_EQ(count<effect::StoreOpening>(fx), 0);
  EXPECT_EQ(count<effect::OpenSession>(fx), 0);
  EXPECT_EQ(count<effect::RecordConnection>(fx), 1);
  EXPECT_EQ(heard(fx, b), (std::vector<std::vector<std::string>>{{"placed-into-conference"}}));
}

TEST_F(RoomTest, NotYetValidAndEndedWindowsAreRefused) {
  now = kStart - seconds{1};
  EXPECT_EQ(refused_entry(1), domain::JoinOutcome::kNotYetValid);
  now = kStart + std::chrono::days{1};
  EXPECT_EQ(refused_entry(1), domain::JoinOutcome::kEnded);
  EXPECT_TRUE(room.participants().empty());
}

TEST_F(RoomTest, RejoiningWhileActiveDoesNotRestartTheClock) {
  auto a = enter(1);
  const auto opened = room.booking().opened_at;
  (void)room.leave(a, "hangup", now);
  now += minutes{3};
  Effects fx;
  enter(2, domain::Role::kUser, &fx);
  EXPECT_EQ(room.booking().opened_at, opened);
  EXPECT_EQ(count<effect::StoreOpening>(fx), 0);
}

// --- B4: warning and end

TEST_F(RoomTest, TheWarningIsPlayedToTheRoomAndTheEndHasEveryoneHearTheClosingPromptThenHangsUp) {
  auto a = enter(1);
  auto b = enter(2);
  auto warn = room.timer(RoomTimer::kWarning, {}, now + minutes{55});
  ASSERT_EQ(count<effect::PlayRoom>(warn), 1);
  EXPECT_EQ(all<effect::PlayRoom>(warn)[0].keys, (std::vector<std::string>{"warning-5-minutes"}));
  EXPECT_TRUE(has_event(warn, "warning"));

  now += minutes{60};
  auto end = room.timer(RoomTimer::kEnd, {}, now);
  EXPECT_TRUE(room.ending());
  EXPECT_EQ(room.booking().state, domain::BookingState::kEnded);
  ASSERT_EQ(count<effect::StoreEnd>(end), 1);
  EXPECT_EQ(all<effect::StoreEnd>(end)[0].reason, domain::EndReason::kDurationElapsed);
  auto closing = all<effect::PlayRoom>(end);
  ASSERT_EQ(closing.size(), 1u);
  EXPECT_EQ(closing[0].keys, (std::vector<std::string>{"conference-has-ended", "goodbye"}));
  EXPECT_TRUE(armed(end, RoomTimer::kClosing));
  EXPECT_EQ(count<effect::Hangup>(end), 0) << "nobody is cut off before the closing prompt";
  EXPECT_EQ(count<effect::DropInvites>(end), 1);

  // The closing prompt played: everyone is hung up, the session closes with the booking's reason.
  auto done = room.closing_prompt_done(closing[0].tag, now + seconds{4});
  EXPECT_EQ(count<effect::Hangup>(done), 2);
  EXPECT_EQ(count<effect::EndConnection>(done), 2);
  ASSERT_EQ(count<effect::CloseSession>(done), 1);
  EXPECT_EQ(all<effect::CloseSession>(done)[0].reason, "duration-elapsed");
  EXPECT_EQ(count<effect::Close>(done), 1);
  EXPECT_TRUE(room.participants().empty());
  (void)a, (void)b;
  // Late callers of an ended room are refused.
  EXPECT_EQ(refused_entry(3), domain::JoinOutcome::kEnded);
}

// --- Issue 16 P4: the time billing granted

TEST_F(RoomTest, AGrantShorterThanTheBookingWarnsWithCreditLowThenEndsCreditExhausted) {
  auto a = enter(1);
  auto fx = room.set_granted_until(now + minutes{10}, now);
  ASSERT_TRUE(armed(fx, RoomTimer::kEnd));
  EXPECT_EQ(armed(fx, RoomTimer::kEnd)->at, now + minutes{10});
  ASSERT_TRUE(armed(fx, RoomTimer::kWarning));
  EXPECT_EQ(armed(fx, RoomTimer::kWarning)->at, now + minutes{10} - seconds{60});
  EXPECT_EQ(room.ends_at(), now + minutes{10});
  EXPECT_EQ(room.snapshot(SessionId{1}).granted_until, now + minutes{10});

  auto warn = room.timer(RoomTimer::kWarning, {}, now + minutes{9});
  ASSERT_EQ(count<effect::PlayRoom>(warn), 1);
  EXPECT_EQ(all<effect::PlayRoom>(warn)[0].keys, (std::vector<std::string>{"credit-low"}));
  EXPECT_TRUE(has_event(warn, "warning"));

  auto end = room.timer(RoomTimer::kEnd, {}, now + minutes{10});
  ASSERT_EQ(count<effect::StoreEnd>(end), 1);
  EXPECT_EQ(all<effect::StoreEnd>(end)[0].reason, domain::EndReason::kCreditExhausted);
  auto done = room.closing_prompt_done(all<effect::PlayRoom>(end)[0].tag, now + minutes{10} + seconds{4});
  ASSERT_EQ(count<effect::CloseSession>(done), 1);
  EXPECT_EQ(all<effect::CloseSession>(done)[0].reason, "credit-exhausted");
  (void)a;
}

TEST_F(RoomTest, ATopUpMovesTheEndAndATopUpPastTheBookingGivesBackItsOwnEnd) {
  auto a = enter(1);
  (void)room.set_granted_until(now + minutes{10}, now);
  (void)room.timer(RoomTimer::kWarning, {}, now + minutes{9});  // heard
  // A grant a few seconds later (the next re-authorization): no second warning.
  auto again = room.set_granted_until(now + minutes{10} + seconds{5}, now + minutes{9});
  EXPECT_FALSE(armed(again, RoomTimer::kWarning)) << "the same credit warned twice";
  EXPECT_EQ(armed(again, RoomTimer::kEnd)->at, now + minutes{10} + seconds{5});
  // A top-up of 20 minutes: the end moves, and the new end is warned in its turn.
  auto topped = room.set_granted_until(now + minutes{30}, now + minutes{9});
  EXPECT_EQ(armed(topped, RoomTimer::kEnd)->at, now + minutes{30});
  EXPECT_EQ(armed(topped, RoomTimer::kWarning)->at, now + minutes{29});
  // Past the booking's own end (60 min), or lifted: the booking's end and its 5-minute warning again.
  auto lifted = room.set_granted_until(std::nullopt, now + minutes{9});
  EXPECT_EQ(armed(lifted, RoomTimer::kEnd)->at, now + minutes{60});
  EXPECT_EQ(armed(lifted, RoomTimer::kWarning)->at, now + minutes{55});
  auto end = room.timer(RoomTimer::kEnd, {}, now + minutes{60});
  EXPECT_EQ(all<effect::StoreEnd>(end)[0].reason, domain::EndReason::kDurationElapsed);
  (void)a;
}

TEST_F(RoomTest, AGrantAlreadyRunOutEndsAtOnceAndNoGrantChangesAnEndingRoom) {
  auto a = enter(1);
  auto fx = room.set_granted_until(now - seconds{1}, now);
  EXPECT_EQ(armed(fx, RoomTimer::kEnd)->at, now);
  EXPECT_FALSE(armed(fx, RoomTimer::kWarning));
  (void)room.timer(RoomTimer::kEnd, {}, now);
  EXPECT_TRUE(room.ending());
  EXPECT_TRUE(room.set_granted_until(now + minutes{30}, now).empty());
  (void)a;
}

TEST_F(RoomTest, AClosingPromptThatNeverEndsIsCutByTheGraceTimer) {
  enter(1);
  auto end = room.end(domain::EndReason::kEndedByAdmin, "root", now);
  auto grace = armed(end, RoomTimer::kClosing);
  ASSERT_TRUE(grace);
  EXPECT_FALSE(grace->at);
  EXPECT_EQ(grace->after, options().end_prompt_grace);
  auto done = room.timer(RoomTimer::kClosing, {}, now + seconds{8});
  EXPECT_EQ(count<effect::Hangup>(done), 1);
  EXPECT_EQ(all<effect::CloseSession>(done)[0].reason, "ended-by-admin");
  // A second end, or the prompt's late end, does nothing more.
  EXPECT_TRUE(room.end(domain::EndReason::kEndedByAdmin, "root", now).empty());
  EXPECT_TRUE(room.closing_prompt_done(1, now).empty());
}

TEST_F(RoomTest, TheShortestBookingIsWarnedRightAfterTheEntryPrompt) {
  room = Room(booking(5), options());
  Effects fx;
  auto a = enter(1, domain::Role::kUser, &fx);
  EXPECT_EQ(heard(fx, a), (std::vector<std::vector<std::string>>{{"only-person", "warning-5-minutes"}}));
  EXPECT_FALSE(armed(fx, RoomTimer::kWarning));
  auto b = enter(2, domain::Role::kUser, &fx);
  EXPECT_EQ(heard(fx, b), (std::vector<std::vector<std::string>>{{"placed-into-conference"}}))
      << "only those placed in with the opening hear the opening's warning";
}

TEST_F(RoomTest, AnEmptyRoomEndsAfterTheGraceTimeUnlessSomeoneComesBack) {
  room = Room(booking(), options(2));
  auto a = enter(1);
  auto left = room.leave(a, "hangup", now);
  auto grace = armed(left, RoomTimer::kEmpty);
  ASSERT_TRUE(grace);
  EXPECT_EQ(grace->at, now + minutes{2});
  EXPECT_EQ(count<effect::Close>(left), 0) << "an opened room stays while empty";

  // Someone comes back: the grace timer is disarmed; the timer firing late does nothing.
  Effects fx;
  auto b = enter(2, domain::Role::kUser, &fx);
  const auto disarmed = all<effect::Disarm>(fx);
  EXPECT_TRUE(std::any_of(disarmed.begin(), disarmed.end(),
                          [](const effect::Disarm& d) { return d.timer == RoomTimer::kEmpty; }));
  EXPECT_TRUE(room.timer(RoomTimer::kEmpty, {}, now + minutes{2}).empty());
  EXPECT_FALSE(room.ending());

  left = room.leave(b, "hangup", now);
  ASSERT_TRUE(armed(left, RoomTimer::kEmpty));
  auto end = room.timer(RoomTimer::kEmpty, {}, now + minutes{2});
  EXPECT_TRUE(room.ending());
  EXPECT_EQ(all<effect::StoreEnd>(end)[0].reason, domain::EndReason::kEmpty);
  EXPECT_EQ(all<effect::CloseSession>(end)[0].reason, "empty");
  EXPECT_EQ(count<effect::Close>(end), 1);
}

// --- B5: full

TEST_F(RoomTest, AFullRoomRefusesTheNextCallerModeratorsIncluded) {
  room = Room(booking(60, 2), options());
  enter(1, domain::Role::kModerator);
  enter(2);
  EXPECT_EQ(room.admit(domain::Role::kUser, "", "", now), domain::JoinOutcome::kFull);
  EXPECT_EQ(refused_entry(3), domain::JoinOutcome::kFull);
  EXPECT_EQ(refused_entry(4, domain::Role::kModerator), domain::JoinOutcome::kFull);
  EXPECT_EQ(room.participants().size(), 2u);
}

// --- I2: wait for the leader, announce, allow-list

TEST_F(RoomTest, UsersWaitForTheLeaderWithMusicUnheardAndDeafUntilAModeratorOpens) {
  auto b = booking();
  b.options.wait_for_leader = true;
  room = Room(b, options());
  Effects fx;
  auto u = enter(1, domain::Role::kUser, &fx);
  EXPECT_FALSE(room.opened()) << "a user alone does not open a wait-for-leader conference";
  EXPECT_EQ(count<effect::OpenSession>(fx), 0);
  EXPECT_EQ(count<effect::RecordConnection>(fx), 0);
  ASSERT_EQ(count<effect::HoldMusic>(fx), 1);
  auto flags = all<effect::SetFlags>(fx);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_TRUE(flags[0].muted && flags[0].deaf);
  EXPECT_TRUE(room.snapshot(SessionId{}).waiting_for_leader);

  auto m = enter(2, domain::Role::kModerator, &fx);
  EXPECT_TRUE(room.opened());
  EXPECT_EQ(count<effect::RecordConnection>(fx), 2) << "the waiting user's connection starts with the opening";
  EXPECT_EQ(heard(fx, u), (std::vector<std::vector<std::string>>{{"placed-into-conference"}}));
  EXPECT_EQ(heard(fx, m), (std::vector<std::vector<std::string>>{{"placed-into-conference"}}));
  auto released = all<effect::SetFlags>(fx);
  ASSERT_FALSE(released.empty());
  EXPECT_FALSE(released.back().muted || released.back().deaf);
  EXPECT_FALSE(room.snapshot(SessionId{}).waiting_for_leader);
}

TEST_F(RoomTest, WaitingUsersWhoAllLeaveTakeTheUnopenedRoomWithThem) {
  auto b = booking();
  b.options.wait_for_leader = true;
  room = Room(b, options(5));
  auto u = enter(1);
  auto left = room.leave(u, "hangup", now);
  EXPECT_EQ(count<effect::Close>(left), 1);
  EXPECT_FALSE(armed(left, RoomTimer::kEmpty));
  EXPECT_EQ(count<effect::CloseSession>(left), 0) << "no session was ever opened";
}

TEST_F(RoomTest, AnnouncedNamesAreHeardByTheOthersOnJoiningAndLeaving) {
  auto a = enter(1);
  Effects fx;
  auto b = enter(2, domain::Role::kUser, &fx, "/var/names/name-102.wav");
  EXPECT_EQ(heard(fx, a), (std::vector<std::vector<std::string>>{{"/var/names/name-102.wav", "has-joined"}}));
  auto left = room.leave(b, "hangup", now);
  EXPECT_EQ(heard(left, a), (std::vector<std::vector<std::string>>{{"/var/names/name-102.wav", "has-left"}}));
}

TEST_F(RoomTest, TheAllowListIsCheckedWhenAPinIsGiven) {
  auto b = booking();
  b.join_policy = domain::JoinPolicy::kAllowListOnly;
  domain::Invitee i;
  i.email = "bob@example.com";
  i.phone = "+33600000011";
  b.invitees.push_back(i);
  room = Room(b, options());
  EXPECT_EQ(room.admit(domain::Role::kUser, b.user_pin, "+33600000011", now), domain::JoinOutcome::kOk);
  EXPECT_EQ(room.admit(domain::Role::kUser, b.user_pin, "+33699999999", now), domain::JoinOutcome::kNotAllowed);
}

TEST_F(RoomTest, TheAllowListComparesNumbersWithTheConfiguredRules) {
  auto b = booking();
  b.join_policy = domain::JoinPolicy::kAllowListOnly;
  domain::Invitee i;
  i.phone = "+33600000011";
  b.invitees.push_back(i);
  auto o = options();
  room = Room(b, o);
  EXPECT_EQ(room.admit(domain::Role::kUser, b.user_pin, "0600000011", now), domain::JoinOutcome::kNotAllowed)
      << "without a rule a national number is another number";
  o.number_rules = {{"06", "00336"}};
  room = Room(b, o);
  EXPECT_EQ(room.admit(domain::Role::kUser, b.user_pin, "0600000011", now), domain::JoinOutcome::kOk);
  EXPECT_EQ(room.admit(domain::Role::kUser, b.user_pin, "0033600000011", now), domain::JoinOutcome::kOk);
}

// --- I4: in-call keys

TEST_F(RoomTest, StarOneMutesAndUnmutesTheCallerAndADigitAloneDoesNothing) {
  auto a = enter(1);
  EXPECT_TRUE(room.key(a, '1', now).empty()) << "a digit without '*' is conversation";
  auto fx = keys(a, "*1");
  EXPECT_TRUE(room.participant(a)->muted);
  EXPECT_EQ(heard(fx, a), (std::vector<std::vector<std::string>>{{"muted"}}));
  ASSERT_TRUE(armed(fx, RoomTimer::kStarKey));
  EXPECT_EQ(armed(fx, RoomTimer::kStarKey)->who, a);
  fx = keys(a, "*1");
  EXPECT_FALSE(room.participant(a)->muted);
  EXPECT_EQ(heard(fx, a), (std::vector<std::vector<std::string>>{{"unmuted"}}));
}

TEST_F(RoomTest, TheStarTimesOut) {
  auto a = enter(1);
  (void)room.key(a, '*', now);
  (void)room.timer(RoomTimer::kStarKey, a, now + seconds{3});
  EXPECT_TRUE(room.key(a, '1', now).empty());
  EXPECT_FALSE(room.participant(a)->muted);
}

TEST_F(RoomTest, StarTwoSaysHowManyOthersAreHere) {
  auto a = enter(1);
  EXPECT_EQ(heard(keys(a, "*2"), a), (std::vector<std::vector<std::string>>{{"only-person"}}));
  enter(2);
  EXPECT_EQ(heard(keys(a, "*2"), a), (std::vector<std::vector<std::string>>{{"one-other-participant"}}));
  enter(3);
  auto said = heard(keys(a, "*2"), a);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0].front(), "there-are");
  EXPECT_EQ(said[0].back(), "other-participants");
}

TEST_F(RoomTest, ListenOnlyUsersAreToldAndCannotUnmute) {
  auto b = booking();
  b.options.listen_only = true;
  room = Room(b, options());
  Effects fx;
  auto m = enter(1, domain::Role::kModerator);
  auto u = enter(2, domain::Role::kUser, &fx);
  EXPECT_EQ(heard(fx, u), (std::vector<std::vector<std::string>>{{"placed-into-conference", "listen-only"}}));
  EXPECT_TRUE(all<effect::SetFlags>(fx)[0].listen_only);
  EXPECT_EQ(heard(keys(u, "*1"), u), (std::vector<std::vector<std::string>>{{"listen-only"}}));
  EXPECT_FALSE(room.participant(u)->muted);
  auto unmute = room.set_muted(u, false, now);
  ASSERT_FALSE(unmute);
  EXPECT_EQ(unmute.error().code, ErrorCode::kFailedPrecondition);
  (void)m;
}

TEST_F(RoomTest, UsersCannotUseModeratorKeys) {
  auto u = enter(1);
  for (char d : std::string("3459")) {
    auto fx = keys(u, std::string("*") + d);
    EXPECT_EQ(heard(fx, u), (std::vector<std::vector<std::string>>{{"invalid-choice"}})) << d;
  }
  EXPECT_FALSE(room.locked());
  EXPECT_FALSE(room.recording());
  EXPECT_FALSE(room.ending());
}

TEST_F(RoomTest, TheModeratorLocksMutesAllRecordsAndEnds) {
  auto m = enter(1, domain::Role::kModerator);
  auto u1 = enter(2);
  auto u2 = enter(3);
  // *3 locks: the next caller is refused; *3 again unlocks.
  auto fx = keys(m, "*3");
  EXPECT_TRUE(room.locked());
  EXPECT_EQ(heard(fx, m), (std::vector<std::vector<std::string>>{{"locked-now"}}));
  EXPECT_TRUE(has_event(fx, "locked"));
  EXPECT_EQ(refused_entry(4), domain::JoinOutcome::kLocked);
  EXPECT_EQ(room.admit(domain::Role::kModerator, "", "", now), domain::JoinOutcome::kOk)
      << "a moderator may still enter a locked conference";
  keys(m, "*3");
  EXPECT_FALSE(room.locked());
  // *4 mutes every user (not the moderator), then unmutes them all.
  fx = keys(m, "*4");
  EXPECT_TRUE(room.participant(u1)->muted && room.participant(u2)->muted);
  EXPECT_FALSE(room.participant(m)->muted);
  EXPECT_EQ(heard(fx, m), (std::vector<std::vector<std::string>>{{"all-muted"}}));
  EXPECT_TRUE(heard(fx, u1).empty()) << "users are muted silently";
  fx = keys(m, "*4");
  EXPECT_FALSE(room.participant(u1)->muted || room.participant(u2)->muted);
  EXPECT_EQ(heard(fx, m), (std::vector<std::vector<std::string>>{{"all-unmuted"}}));
  // *5 starts and stops the recording.
  fx = keys(m, "*5");
  EXPECT_EQ(count<effect::StartRecording>(fx), 1);
  EXPECT_EQ(heard(fx, m), (std::vector<std::vector<std::string>>{{"recording-started"}}));
  fx = keys(m, "*5");
  EXPECT_EQ(count<effect::StopRecording>(fx), 1);
  // *9 ends the conference for everyone, by the moderator.
  fx = keys(m, "*9");
  EXPECT_TRUE(room.ending());
  ASSERT_EQ(count<effect::StoreEnd>(fx), 1);
  EXPECT_EQ(all<effect::StoreEnd>(fx)[0].reason, domain::EndReason::kEndedByModerator);
  EXPECT_EQ(all<effect::StoreEnd>(fx)[0].actor, "0600000011");
}

TEST_F(RoomTest, ARecordingThatCannotStartIsNotReportedAsRunning) {
  auto b = booking();
  b.options.record = true;
  room = Room(b, options());
  Effects fx;
  enter(1, domain::Role::kUser, &fx);
  EXPECT_EQ(count<effect::StartRecording>(fx), 1) << "a recorded booking records from its opening";
  EXPECT_TRUE(room.recording());
  auto failed = room.recording_failed(now);
  EXPECT_FALSE(room.recording());
  EXPECT_TRUE(has_event(failed, "recording"));
}

// --- console actions

TEST_F(RoomTest, TheConsoleMutesAndEjectsAndUnknownParticipantsAreNotFound) {
  auto a = enter(1);
  auto b = enter(2);
  auto muted = room.set_muted(a, true, now);
  ASSERT_TRUE(muted);
  EXPECT_EQ(heard(*muted, a), (std::vector<std::vector<std::string>>{{"muted"}}));
  EXPECT_TRUE(room.participant(a)->muted);
  auto ejected = room.eject(b, now);
  ASSERT_TRUE(ejected);
  EXPECT_EQ(room.participant(b), nullptr);
  ASSERT_EQ(count<effect::EndConnection>(*ejected), 1);
  EXPECT_EQ(all<effect::EndConnection>(*ejected)[0].reason, "ejected");
  EXPECT_EQ(room.eject(b, now).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(room.set_muted(ParticipantId{99}, true, now).error().code, ErrorCode::kNotFound);
}

// --- the ghost conference and the store's answers

TEST_F(RoomTest, AnOpeningStoredAfterTheEndDoesNotBringTheConferenceBack) {
  enter(1);
  auto opened = room.booking();
  (void)room.end(domain::EndReason::kEndedByAdmin, "root", now);
  // The opening's write answers late (the store was slow): the room stays ended.
  opened.version = 2;
  EXPECT_TRUE(room.booking_stored(opened, now).empty());
  EXPECT_EQ(room.booking().state, domain::BookingState::kEnded);
  EXPECT_EQ(room.admit(domain::Role::kModerator, "", "", now), domain::JoinOutcome::kEnded);
}

TEST_F(RoomTest, ADurationChangedInTheStoreMovesTheWarningAndTheEnd) {
  enter(1);
  auto stored = room.booking();
  stored.duration_minutes = 90;
  stored.version = 3;
  auto fx = room.booking_stored(stored, now);
  ASSERT_TRUE(armed(fx, RoomTimer::kEnd));
  EXPECT_EQ(armed(fx, RoomTimer::kEnd)->at, now + minutes{90});
  EXPECT_EQ(armed(fx, RoomTimer::kWarning)->at, now + minutes{85});
  // The same row again changes nothing.
  EXPECT_TRUE(room.booking_stored(stored, now).empty());
}

TEST_F(RoomTest, ShuttingDownClosesTheSessionAsInterruptedAndCutsEveryoneOff) {
  enter(1);
  enter(2);
  auto fx = room.shut_down(now);
  EXPECT_EQ(count<effect::Hangup>(fx), 2);
  EXPECT_EQ(all<effect::CloseSession>(fx)[0].reason, "interrupted");
  EXPECT_EQ(count<effect::StoreEnd>(fx), 0) << "the booking stays active: it resumes after the restart";
}

TEST_F(RoomTest, TalkingIsReportedOnceEachTime) {
  auto a = enter(1);
  EXPECT_TRUE(has_event(room.talking(a, true, now), "talking"));
  EXPECT_TRUE(room.talking(a, true, now).empty());
  EXPECT_TRUE(has_event(room.talking(a, false, now), "talking"));
}

}  // namespace
}  // namespace confpro::conference
