#include <gtest/gtest.h>

#include "store/store.h"
#include "store/test_support.h"

namespace confpro::store {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::open_migrated;
using testing::sample_booking;
using testing::TempDir;

const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);  // 2027-01-15 08:00 UTC

class SessionsTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    booking_ = store_->insert_booking(sample_booking("A", "734912", kT0), {}).value();
  }
  ConferenceSession open(TimePoint at, const std::string& node = "node1") {
    ConferenceSession s;
    s.booking = booking_.id;
    s.number = booking_.number;
    s.opened_at = at;
    s.node = node;
    return store_->open_session(s).value();
  }
  ParticipantConnection join(const ConferenceSession& s, TimePoint at, const std::string& caller,
                             const std::string& access = "0800123456") {
    ParticipantConnection c;
    c.session = s.id;
    c.booking = s.booking;
    c.caller_number = caller;
    c.role = "user";
    c.access_number = access;
    c.call_ref = "call-" + caller;
    c.joined_at = at;
    c.codec = "PCMU";
    c.invitee = caller == "+33622222222" ? "bob@example.com" : "";
    return store_->start_connection(c).value();
  }

  domain::Booking booking_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SessionsTest, ::testing::ValuesIn(testing::test_backends()),
                         [](const auto& backend) { return backend.param; });

TEST_P(SessionsTest, SessionOpensAndClosesOnce) {
  auto s = open(kT0);
  EXPECT_TRUE(s.id.valid());
  EXPECT_FALSE(store_->get_session(s.id)->closed_at);
  ASSERT_TRUE(store_->close_session(s.id, kT0 + minutes{30}, "duration-elapsed").ok());
  auto closed = store_->get_session(s.id).value();
  EXPECT_EQ(closed.closed_at, kT0 + minutes{30});
  EXPECT_EQ(closed.close_reason, "duration-elapsed");
  EXPECT_EQ(store_->close_session(s.id, kT0, "x").error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store_->close_session(SessionId{99}, kT0, "x").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->set_recording_path(s.id, "var/rec/1.wav").ok());
  EXPECT_EQ(store_->get_session(s.id)->recording_path, "var/rec/1.wav");
}

TEST_P(SessionsTest, ConnectionsStartEndAndList) {
  auto s = open(kT0);
  auto a = join(s, kT0 + minutes{1}, "+33611111111");
  auto b = join(s, kT0 + minutes{2}, "+33622222222");
  ASSERT_TRUE(store_->end_connection(a.id, kT0 + minutes{5}, "hangup", 0.01, 12.5, 40).ok());
  EXPECT_EQ(store_->end_connection(a.id, kT0 + minutes{6}, "hangup", 0, 0, 0).error().code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store_->end_connection(ConnectionId{999}, kT0, "x", 0, 0, 0).error().code, ErrorCode::kNotFound);
  auto list = store_->list_connections(s.id).value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].caller_number, "+33611111111");
  EXPECT_EQ(list[0].left_at, kT0 + minutes{5});
  EXPECT_EQ(list[0].leave_reason, "hangup");
  EXPECT_DOUBLE_EQ(list[0].jitter_ms, 12.5);
  EXPECT_EQ(list[1].id, b.id);
  EXPECT_FALSE(list[1].left_at);
  EXPECT_EQ(list[1].codec, "PCMU");
  EXPECT_EQ(list[0].invitee, "");
  EXPECT_EQ(list[1].invitee, "bob@example.com");
}

TEST_P(SessionsTest, CloseInterruptedEndsOpenSessionsAndConnections) {
  auto s1 = open(kT0, "node1");
  auto s2 = open(kT0, "node2");
  auto done = open(kT0, "node1");
  ASSERT_TRUE(store_->close_session(done.id, kT0 + minutes{1}, "ended-by-admin").ok());
  join(s1, kT0, "1");
  auto left = join(s1, kT0, "2");
  ASSERT_TRUE(store_->end_connection(left.id, kT0 + minutes{1}, "hangup", 0, 0, 0).ok());
  join(s2, kT0, "3");
  auto counts = store_->close_interrupted(kT0 + hours{1}, "node1").value();
  EXPECT_EQ(counts.sessions, 1);
  EXPECT_EQ(counts.connections, 1);
  EXPECT_EQ(store_->get_session(s1.id)->close_reason, "interrupted");
  EXPECT_FALSE(store_->get_session(s2.id)->closed_at);
  EXPECT_EQ(store_->get_session(done.id)->close_reason, "ended-by-admin");
  EXPECT_EQ(store_->list_connections(s1.id)->at(0).leave_reason, "interrupted");
  EXPECT_EQ(store_->list_connections(s1.id)->at(1).leave_reason, "hangup");
  counts = store_->close_interrupted(kT0 + hours{1}, "").value();
  EXPECT_EQ(counts.sessions, 1);
  EXPECT_EQ(counts.connections, 1);
  counts = store_->close_interrupted(kT0 + hours{1}, "").value();
  EXPECT_EQ(counts.sessions, 0);
}

TEST_P(SessionsTest, ANodesLatestHeartbeatReplacesTheLastOne) {
  EXPECT_EQ(store_->node_beat("node-a").error().code, ErrorCode::kNotFound);
  const TimePoint t0 = from_epoch_ms(1'800'000'000'000);
  ASSERT_TRUE(store_->record_node_beat({"node-a", t0, 2, 15}).ok());
  ASSERT_TRUE(store_->record_node_beat({"node-b", t0, 1, 1}).ok());
  ASSERT_TRUE(store_->record_node_beat({"node-a", t0 + std::chrono::seconds(1), 3, 20}).ok());
  EXPECT_EQ(store_->node_beat("node-a").value(), (NodeBeat{"node-a", t0 + std::chrono::seconds(1), 3, 20}));
  EXPECT_EQ(store_->node_beat("node-b").value().participants, 1);
  const auto all = store_->list_node_beats().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].node, "node-a");
  EXPECT_EQ(all[1], (NodeBeat{"node-b", t0, 1, 1}));
}

TEST_P(SessionsTest, PastSessionsSearchByDateAndOwnerWithTheirBooking) {
  auto other = sample_booking("B", "555123", kT0);
  other.owner = "bob";
  auto b2 = store_->insert_booking(other, {}).value();
  auto s1 = open(kT0);
  ASSERT_TRUE(store_->close_session(s1.id, kT0 + minutes{10}, "ended-by-moderator").ok());
  ConferenceSession s;
  s.booking = b2.id;
  s.number = b2.number;
  s.opened_at = kT0 + hours{2};
  auto s2 = store_->open_session(s).value();
  SessionQuery q;
  auto all = store_->list_sessions(q).value();
  ASSERT_EQ(all.total, 2);
  EXPECT_EQ(all.items[0].session.id, s2.id);  // newest first
  EXPECT_EQ(all.items[0].booking.name, "B");
  q.owner = "alice";
  auto mine = store_->list_sessions(q).value();
  ASSERT_EQ(mine.total, 1);
  EXPECT_EQ(mine.items[0].booking.owner, "alice");
  SessionQuery past;
  past.closed_only = true;
  EXPECT_EQ(store_->list_sessions(past)->total, 1);
  SessionQuery live;
  live.open_only = true;
  EXPECT_EQ(store_->list_sessions(live)->items.at(0).session.id, s2.id);
  SessionQuery range;
  range.from = kT0 + hours{1};
  range.to = kT0 + hours{3};
  EXPECT_EQ(store_->list_sessions(range)->total, 1);
}

TEST_P(SessionsTest, ActiveOverdueSkipsBookingsWithAnOpenSession) {
  auto active = booking_;
  active.state = domain::BookingState::kActive;
  active.opened_at = kT0;
  active = store_->update_booking(active, active.version, {}).value();  // 60 minutes from kT0
  auto s = open(kT0);
  EXPECT_TRUE(store_->active_overdue(kT0 + hours{2}, 10)->empty());
  ASSERT_TRUE(store_->close_session(s.id, kT0 + minutes{5}, "interrupted").ok());
  EXPECT_TRUE(store_->active_overdue(kT0 + minutes{60} - Millis{1}, 10)->empty());
  auto due = store_->active_overdue(kT0 + minutes{60}, 10).value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, booking_.id);
}

// Issue 16 P3: the CDR exporter takes closed sessions of bookings no longer active (their ledger settled), once.
TEST_P(SessionsTest, CdrPendingListsClosedSessionsOfSettledBookingsUntilMarked) {
  auto active = booking_;
  active.state = domain::BookingState::kActive;
  active.opened_at = kT0;
  active = store_->update_booking(active, active.version, {}).value();
  auto open_one = open(kT0);
  SessionQuery pending;
  pending.cdr_pending = true;
  pending.descending = false;
  EXPECT_EQ(store_->list_sessions(pending)->total, 0) << "an open session";
  ASSERT_TRUE(store_->close_session(open_one.id, kT0 + minutes{5}, "interrupted").ok());
  EXPECT_EQ(store_->list_sessions(pending)->total, 0) << "closed, but its booking is still active (not settled)";
  auto second = open(kT0 + minutes{6});
  ASSERT_TRUE(store_->close_session(second.id, kT0 + minutes{9}, "ended-by-moderator").ok());
  auto ended = active;
  ended.state = domain::BookingState::kEnded;
  ended.ended_at = kT0 + minutes{9};
  ASSERT_TRUE(store_->update_booking(ended, active.version, {}).ok());
  auto page = store_->list_sessions(pending).value();
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].session.id, open_one.id);
  EXPECT_EQ(page.items[1].session.id, second.id);
  ASSERT_TRUE(store_->mark_cdr_exported({open_one.id}, kT0 + minutes{10}).ok());
  page = store_->list_sessions(pending).value();
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].session.id, second.id);
  ASSERT_TRUE(store_->mark_cdr_exported({second.id}, kT0 + minutes{10}).ok());
  EXPECT_EQ(store_->list_sessions(pending)->total, 0);
  EXPECT_EQ(store_->list_sessions(SessionQuery{})->total, 2) << "marking keeps the history";
}

// Issue 12 item 8: deleting a booking keeps what was used; it only leaves the bookings and frees its number.
TEST_P(SessionsTest, DeletingABookingKeepsItsHistory) {
  auto s = open(kT0);
  auto c = join(s, kT0, "1");
  ASSERT_TRUE(store_->end_connection(c.id, kT0 + minutes{20}, "hangup", 0, 0, 0).ok());
  ASSERT_TRUE(store_->close_session(s.id, kT0 + minutes{30}, "ended-by-moderator").ok());
  ASSERT_TRUE(store_->delete_booking(booking_.id, {kT0 + hours{1}, "admin"}, {}).ok());

  // Gone from every booking read: no call finds it, the console's lists do not show it, it cannot be changed.
  EXPECT_EQ(store_->get_booking(booking_.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->find_booking_by_number("734912").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->find_booking_by_name("A").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->search_bookings({})->total, 0);
  EXPECT_EQ(store_->update_booking(booking_, booking_.version, {}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->delete_booking(booking_.id, {kT0, "admin"}, {}).error().code, ErrorCode::kNotFound);

  // Its history stays, under its own number and name, marked deleted.
  auto past = store_->list_sessions({}).value();
  ASSERT_EQ(past.total, 1);
  EXPECT_EQ(past.items[0].session, *store_->get_session(s.id));
  EXPECT_EQ(past.items[0].booking.number, "734912");
  EXPECT_EQ(past.items[0].booking.name, "A");
  EXPECT_EQ(past.items[0].deleted, (Deletion{kT0 + hours{1}, "admin"}));
  SessionQuery one;
  one.session = s.id;
  EXPECT_EQ(store_->list_sessions(one)->items.at(0).deleted->by, "admin");
  EXPECT_EQ(store_->list_connections(s.id)->size(), 1u);
  ReportQuery q{kT0 - hours{1}, kT0 + hours{2}, "", "UTC"};
  auto r = store_->report(q).value();
  EXPECT_EQ(r.totals, (ReportRow{"total", 1, 1, 30, 20}));
  ASSERT_EQ(r.conferences.size(), 1u);
  EXPECT_EQ(r.conferences[0].state, "deleted");
  EXPECT_EQ(r.conferences[0].number, "734912");
  EXPECT_EQ(r.conferences[0].conference_minutes, 30);
  EXPECT_EQ(r.conferences[0].participants, 1);

  // Its number and name are free again; the old history keeps its own.
  auto again = store_->insert_booking(sample_booking("A", "734912", kT0 + hours{3}), {});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(store_->find_booking_by_number("734912")->id, again->id);
  EXPECT_EQ(store_->list_sessions({})->items.at(0).booking.id, booking_.id);
}

TEST_P(SessionsTest, ADeletedUnusedBookingLeavesTheReport) {
  ASSERT_TRUE(store_->delete_booking(booking_.id, {kT0, "alice"}, {}).ok());
  auto r = store_->report({kT0 - hours{1}, kT0 + hours{2}, "", "UTC"}).value();
  EXPECT_EQ(r.totals, (ReportRow{"total", 0, 0, 0, 0}));
  EXPECT_TRUE(r.conferences.empty());
}

// Issue 12 item 11: dial-outs and direct calls are a row of their own; the conferences are listed.
TEST_P(SessionsTest, ReportListsConferencesAndDirectCalls) {
  auto s = open(kT0);
  auto c1 = join(s, kT0, "1", "0800123456");
  auto c2 = join(s, kT0 + minutes{2}, "2", "");  // invited by number
  ASSERT_TRUE(store_->end_connection(c1.id, kT0 + minutes{12}, "hangup", 0, 0, 0).ok());
  ASSERT_TRUE(store_->end_connection(c2.id, kT0 + minutes{10}, "hangup", 0, 0, 0).ok());
  ASSERT_TRUE(store_->close_session(s.id, kT0 + minutes{15}, "ended-by-moderator").ok());
  auto later = store_->insert_booking(sample_booking("Later", "555123", kT0 + hours{1}), {}).value();
  auto r = store_->report({kT0 - hours{1}, kT0 + hours{2}, "", "UTC"}).value();
  ASSERT_EQ(r.per_access_number.size(), 2u);
  EXPECT_EQ(r.per_access_number[0], (ReportRow{"", 0, 1, 15, 8}));
  EXPECT_EQ(r.per_access_number[1], (ReportRow{"0800123456", 0, 1, 15, 12}));
  ASSERT_EQ(r.conferences.size(), 2u);
  const auto& a = r.conferences[0];
  EXPECT_EQ(a.id, booking_.id);
  EXPECT_EQ(a.name, "A");
  EXPECT_EQ(a.owner, "alice");
  EXPECT_EQ(a.planned_start, kT0);
  EXPECT_EQ(a.planned_end, booking_.valid_until());
  EXPECT_EQ(a.sessions, 1);
  EXPECT_EQ(a.conference_minutes, 15);
  EXPECT_EQ(a.participant_minutes, 20);
  EXPECT_EQ(a.participants, 2);
  EXPECT_EQ(r.conferences[1].id, later.id);
  EXPECT_EQ(r.conferences[1].state, "scheduled");
  EXPECT_EQ(r.conferences[1].participants, 0);
}

// Issue 12 item 8: the administrators' purge removes what is over and older than the cutoff, in one
// transaction; a dry run counts the same rows and writes nothing.
TEST_P(SessionsTest, PurgeRemovesOnlyOldFinishedHistory) {
  auto s = open(kT0);
  join(s, kT0, "1");
  ASSERT_TRUE(store_->close_session(s.id, kT0 + minutes{30}, "duration-elapsed").ok());
  auto ended = booking_;
  ended.state = domain::BookingState::kEnded;
  ended.opened_at = kT0;
  ended.ended_at = kT0 + minutes{30};
  ASSERT_TRUE(store_->update_booking(ended, booking_.version, {}).ok());
  auto deleted = store_->insert_booking(sample_booking("Deleted", "555001", kT0), {}).value();
  ASSERT_TRUE(store_->delete_booking(deleted.id, {kT0 + hours{1}, "alice"}, {}).ok());
  auto future = store_->insert_booking(sample_booking("Future", "555002", kT0 - hours{240}), {}).value();
  auto recent = store_->insert_booking(sample_booking("Recent", "555003", kT0 + hours{100}), {}).value();
  ASSERT_TRUE(store_->delete_booking(recent.id, {kT0 + hours{101}, "alice"}, {}).ok());
  auto open_one = store_->insert_booking(sample_booking("Open", "555004", kT0), {}).value();
  ConferenceSession live;
  live.booking = open_one.id;
  live.number = open_one.number;
  live.opened_at = kT0;
  ASSERT_TRUE(store_->open_session(live).ok());

  const TimePoint cutoff = kT0 + hours{50};
  auto dry = store_->purge_history(cutoff, true, {}).value();
  EXPECT_EQ(dry.bookings, 2);
  EXPECT_EQ(dry.sessions, 1);
  EXPECT_EQ(dry.connections, 1);
  EXPECT_EQ(store_->list_sessions({})->total, 2);

  SideEffects fx;
  fx.audit.push_back({0, cutoff, "admin", "history.purge", "history", "2 bookings", "web"});
  auto done = store_->purge_history(cutoff, false, fx).value();
  EXPECT_EQ(done.bookings, dry.bookings);
  EXPECT_EQ(done.sessions, dry.sessions);
  EXPECT_EQ(done.connections, dry.connections);
  EXPECT_EQ(store_->get_session(s.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->list_connections(s.id)->empty());
  EXPECT_EQ(store_->list_sessions({})->total, 1);    // the open one stays
  EXPECT_TRUE(store_->get_booking(future.id).ok());  // scheduled, not over: stays
  EXPECT_TRUE(store_->get_booking(open_one.id).ok());
  EXPECT_EQ(store_->report({kT0 - hours{300}, kT0 + hours{300}, "", "UTC"})->conferences.size(),
            2u);  // Future and Open
  EXPECT_EQ(store_->list_audit({})->items.at(0).action, "history.purge");
  EXPECT_EQ(store_->purge_history(cutoff, false, {})->bookings, 0);
}

TEST_P(SessionsTest, ReportCountsPlannedUsedAndMinutes) {
  auto other = sample_booking("B", "555123", kT0 + hours{20});  // next day in Paris? 04:00 local on the 16th
  other.owner = "bob";
  other.access_number = "0800123456";
  auto b2 = store_->insert_booking(other, {}).value();
  ASSERT_TRUE(store_->insert_booking(sample_booking("never used", "555999", kT0 + hours{1}), {}).ok());
  // alice: one 30-minute session with two participants (10 + 20 minutes), one via the toll-free number.
  auto s1 = open(kT0);
  auto c1 = join(s1, kT0, "1", "0800123456");
  auto c2 = join(s1, kT0 + minutes{5}, "2", "0142000000");
  ASSERT_TRUE(store_->end_connection(c1.id, kT0 + minutes{10}, "hangup", 0, 0, 0).ok());
  ASSERT_TRUE(store_->end_connection(c2.id, kT0 + minutes{25}, "hangup", 0, 0, 0).ok());
  ASSERT_TRUE(store_->close_session(s1.id, kT0 + minutes{30}, "duration-elapsed").ok());
  // bob: a session still open at the end of the range, one participant joined 15 min before the end.
  ConferenceSession s;
  s.booking = b2.id;
  s.number = b2.number;
  s.opened_at = kT0 + hours{20};
  auto s2 = store_->open_session(s).value();
  join(s2, kT0 + hours{20}, "3", "0800123456");

  ReportQuery q;
  q.from = kT0 - hours{1};
  q.to = kT0 + hours{20} + minutes{15};
  q.time_zone = "Europe/Paris";
  auto r = store_->report(q).value();
  EXPECT_EQ(r.totals, (ReportRow{"total", 3, 2, 45, 45}));
  ASSERT_EQ(r.per_owner.size(), 2u);
  EXPECT_EQ(r.per_owner[0], (ReportRow{"alice", 2, 1, 30, 30}));
  EXPECT_EQ(r.per_owner[1], (ReportRow{"bob", 1, 1, 15, 15}));
  ASSERT_EQ(r.per_access_number.size(), 2u);
  EXPECT_EQ(r.per_access_number[0], (ReportRow{"0142000000", 0, 1, 30, 20}));
  EXPECT_EQ(r.per_access_number[1], (ReportRow{"0800123456", 1, 2, 45, 25}));
  ASSERT_EQ(r.per_day.size(), 2u);
  EXPECT_EQ(r.per_day[0], (ReportRow{"2027-01-15", 2, 1, 30, 30}));
  EXPECT_EQ(r.per_day[1], (ReportRow{"2027-01-16", 1, 1, 15, 15}));

  q.owner = "bob";
  EXPECT_EQ(store_->report(q)->totals, (ReportRow{"total", 1, 1, 15, 15}));
  q.time_zone = "Mars/Olympus";
  EXPECT_EQ(store_->report(q).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace confpro::store
