#include "conference/session_writer.h"

#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "store/fault_injection.h"
#include "store/test_support.h"

namespace confpro::conference {
namespace {

using namespace std::chrono_literals;

class SessionWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::open_migrated(dir_.path() / "writer.db");
    ASSERT_TRUE(store_);
    faults_ = std::make_unique<store::FaultInjectingStore>(*store_);
    auto b = store_->insert_booking(store::testing::sample_booking("A", "482913", from_epoch_ms(1'699'999'000'000)), {});
    ASSERT_TRUE(b) << b.error().message;
    booking_ = b->id;
  }

  store::ConferenceSession session() const {
    store::ConferenceSession s;
    s.booking = booking_;
    s.number = "482913";
    s.opened_at = from_epoch_ms(1'700'000'000'000);
    s.node = "test";
    return s;
  }
  store::ParticipantConnection connection(const std::string& caller) const {
    store::ParticipantConnection c;
    c.booking = booking_;
    c.caller_number = caller;
    c.call_ref = caller;
    c.joined_at = from_epoch_ms(1'700'000'001'000);
    c.codec = "PCMU";
    return c;
  }

  static store::AuditEntry lockout_entry(const std::string& target) {
    store::AuditEntry e;
    e.at = from_epoch_ms(1'700'000'001'500);
    e.actor = "system";
    e.action = "pin.lockout";
    e.target = target;
    e.source = "system";
    return e;
  }
  // Retries every 10-40 ms: the tests do not wait for the production back-off.
  static SessionWriterOptions fast() {
    SessionWriterOptions o;
    o.first_retry = 10ms;
    o.max_retry = 40ms;
    return o;
  }

  std::ostringstream log_text_;
  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::FaultInjectingStore> faults_;
  BookingId booking_;
};

TEST_F(SessionWriterTest, WritesSessionsAndConnectionsInTheOrderQueued) {
  SessionWriter writer(*faults_, log::get("test"));
  const auto s = writer.open_session(session());
  const auto a = writer.start_connection(s, connection("0611"));
  const auto b = writer.start_connection(s, connection("0622"));
  writer.end_connection(a, from_epoch_ms(1'700'000'002'000), "hangup", 0.01, 2.0, 30.0);
  writer.set_recording_path(s, "/tmp/rec.wav");
  writer.drain();
  const auto id = writer.session_id(s);
  ASSERT_TRUE(id);
  auto conns = store_->list_connections(*id);
  ASSERT_TRUE(conns);
  ASSERT_EQ(conns->size(), 2u);
  EXPECT_EQ((*conns)[0].caller_number, "0611");
  EXPECT_EQ((*conns)[0].leave_reason, "hangup");
  EXPECT_TRUE((*conns)[0].left_at);
  EXPECT_FALSE((*conns)[1].left_at);
  (void)b;
  writer.close_session(s, from_epoch_ms(1'700'000'003'000), "ended-by-moderator");
  writer.drain();
  auto stored = store_->get_session(*id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->close_reason, "ended-by-moderator");
  EXPECT_EQ(stored->recording_path, "/tmp/rec.wav");
  EXPECT_EQ(writer.stats().written, 6u);
  EXPECT_EQ(writer.stats().failed, 0u);
}

TEST_F(SessionWriterTest, AuditEntriesAreWrittenInTheirTurn) {
  SessionWriter writer(*faults_, log::get("test"));
  const auto s = writer.open_session(session());
  writer.append_audit(lockout_entry("conference:482913"));
  writer.start_connection(s, connection("0611"));
  writer.drain();
  auto page = store_->list_audit(store::AuditQuery{});
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].action, "pin.lockout");
  EXPECT_EQ(page->items[0].target, "conference:482913");
  EXPECT_EQ(writer.stats().written, 3u);
  EXPECT_EQ(writer.stats().failed, 0u);
}

// Issue 11 item 7: a write the store refuses is not lost — it is retried, in its place, until it goes through.
TEST_F(SessionWriterTest, WritesTheStoreRefusesAreRetriedInOrderUntilItRecovers) {
  faults_->fail_next("", 6, Error::unavailable("database is locked"));  // whatever comes first, six times
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_);
  auto log = std::make_shared<spdlog::logger>("writer-test", sink);
  SessionWriter writer(*faults_, log, fast());
  const auto s = writer.open_session(session());
  const auto a = writer.start_connection(s, connection("0611"));
  const auto b = writer.start_connection(s, connection("0622"));
  writer.end_connection(a, from_epoch_ms(1'700'000'002'000), "hangup", 0, 0, 0);
  writer.close_session(s, from_epoch_ms(1'700'000'003'000), "ended-by-moderator");
  ASSERT_TRUE(writer.drain(10s));
  EXPECT_EQ(faults_->failures_injected(), 6);
  const auto st = writer.stats();
  EXPECT_EQ(st.written, 5u);
  EXPECT_EQ(st.failed, 6u);
  EXPECT_EQ(st.dropped, 0u);
  EXPECT_FALSE(st.degraded);
  // Everything reached the database, in the order queued (connection ids follow the queue).
  auto sessions = store_->list_sessions(store::SessionQuery{});
  ASSERT_TRUE(sessions);
  ASSERT_EQ(sessions->items.size(), 1u);
  const SessionId id = sessions->items[0].session.id;
  EXPECT_EQ(store_->get_session(id)->close_reason, "ended-by-moderator");
  auto conns = store_->list_connections(id);
  ASSERT_EQ(conns->size(), 2u);
  EXPECT_EQ((*conns)[0].caller_number, "0611");
  EXPECT_EQ((*conns)[0].leave_reason, "hangup");
  EXPECT_EQ((*conns)[1].caller_number, "0622");
  EXPECT_LT((*conns)[0].id.value(), (*conns)[1].id.value());
  (void)b;
  // Loudly: each failure at error level with its counts, and the recovery.
  log->flush();
  const std::string text = log_text_.str();
  EXPECT_NE(text.find("[error] history writer: session open failed (attempt 1, "), std::string::npos)
      << text;
  EXPECT_NE(text.find("database is locked; retrying in"), std::string::npos) << text;
  EXPECT_NE(text.find("history writer: writing again after 6 failed attempts"), std::string::npos) << text;
}

TEST_F(SessionWriterTest, HealthSaysDegradedWhileFailingAndRecoversAfter) {
  std::atomic<bool> down{true};
  faults_->set_rule([&](std::string_view) -> std::optional<Error> {
    if (down.load()) return Error::unavailable("could not connect to server");
    return std::nullopt;
  });
  SessionWriter writer(*faults_, log::get("test"), fast());
  const auto s = writer.open_session(session());
  writer.start_connection(s, connection("0611"));
  std::this_thread::sleep_for(300ms);
  auto st = writer.stats();
  EXPECT_TRUE(st.degraded);
  EXPECT_GE(st.failing_for, 2);
  EXPECT_EQ(st.queued, 2u);
  EXPECT_GE(st.oldest_pending, 250ms);
  EXPECT_FALSE(st.since_last_write) << "nothing was written yet";
  EXPECT_NE(st.last_error.find("could not connect to server"), std::string::npos) << st.last_error;
  EXPECT_EQ(st.dropped, 0u);
  down = false;
  ASSERT_TRUE(writer.drain(10s));
  st = writer.stats();
  EXPECT_FALSE(st.degraded);
  EXPECT_EQ(st.queued, 0u);
  EXPECT_EQ(st.written, 2u);
  EXPECT_TRUE(st.since_last_write);
  ASSERT_TRUE(writer.session_id(s));
  EXPECT_EQ(store_->list_connections(*writer.session_id(s))->size(), 1u);
}

TEST_F(SessionWriterTest, AStalledStoreIsReportedByTheWatchdogNotSilently) {
  std::atomic<bool> release{false};
  faults_->set_rule([&](std::string_view) -> std::optional<Error> {
    while (!release.load()) std::this_thread::sleep_for(1ms);  // a store call that hangs
    return std::nullopt;
  });
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_);
  auto log = std::make_shared<spdlog::logger>("writer-test", sink);
  SessionWriterOptions o = fast();
  o.stall_after = 200ms;
  SessionWriter writer(*faults_, log, o);
  const auto s = writer.open_session(session());
  writer.start_connection(s, connection("0611"));
  std::this_thread::sleep_for(500ms);
  const auto st = writer.stats();
  EXPECT_TRUE(st.stalled);
  EXPECT_TRUE(st.degraded);
  EXPECT_EQ(st.failing_for, 0) << "nothing failed: it hangs";
  log->flush();
  EXPECT_NE(log_text_.str().find("[error] history writer stalled: the oldest pending write (session open) is"),
            std::string::npos)
      << log_text_.str();
  EXPECT_NE(log_text_.str().find("2 writes queued"), std::string::npos);
  EXPECT_NE(log_text_.str().find("a store call under way"), std::string::npos);
  release = true;
  ASSERT_TRUE(writer.drain(10s));
  EXPECT_FALSE(writer.stats().stalled);
  EXPECT_EQ(store_->list_connections(*writer.session_id(s))->size(), 1u);
}

TEST_F(SessionWriterTest, AnExceptionFromTheStoreDoesNotEndTheWriter) {
  std::atomic<int> throws{2};
  faults_->set_rule([&](std::string_view) -> std::optional<Error> {
    if (throws.fetch_sub(1) > 0) throw std::runtime_error("driver blew up");
    return std::nullopt;
  });
  SessionWriter writer(*faults_, log::get("test"), fast());
  const auto s = writer.open_session(session());
  writer.start_connection(s, connection("0611"));
  ASSERT_TRUE(writer.drain(10s));
  EXPECT_EQ(writer.stats().failed, 2u);
  EXPECT_EQ(writer.stats().written, 2u);
  EXPECT_EQ(store_->list_connections(*writer.session_id(s))->size(), 1u);
}

TEST_F(SessionWriterTest, AWriteRefusedForGoodIsGivenUpLoudlyAndTheRestIsWritten) {
  faults_->fail_next("open_session", 100, Error::invalid("booking_id", "no such booking"));
  SessionWriter writer(*faults_, log::get("test"), fast());
  const auto lost = writer.open_session(session());
  const auto c = writer.start_connection(lost, connection("0611"));
  writer.end_connection(c, from_epoch_ms(1'700'000'002'000), "hangup", 0, 0, 0);
  writer.close_session(lost, from_epoch_ms(1'700'000'003'000), "interrupted");
  writer.append_audit(lockout_entry("source:203.0.113.9"));
  ASSERT_TRUE(writer.drain(10s));
  EXPECT_FALSE(writer.session_id(lost));
  const auto st = writer.stats();
  EXPECT_EQ(st.dropped, 4u) << "the session (3 tries) and the three writes that needed it";
  EXPECT_EQ(st.failed, 6u);
  EXPECT_EQ(st.written, 1u);
  EXPECT_EQ(store_->list_audit(store::AuditQuery{})->items.size(), 1u);
}

TEST_F(SessionWriterTest, ARowTheSchemaRefusesDoesNotHoldTheRestOfTheHistoryBack) {
  SessionWriter writer(*faults_, log::get("test"), fast());
  auto orphan = session();
  orphan.booking = BookingId{999999};  // deleted meanwhile: the foreign key refuses it, now and forever
  const auto lost = writer.open_session(orphan);
  const auto ok = writer.open_session(session());
  writer.start_connection(ok, connection("0622"));
  ASSERT_TRUE(writer.drain(10s)) << "the refused row blocked the queue";
  EXPECT_FALSE(writer.session_id(lost));
  EXPECT_EQ(writer.stats().dropped, 1u);
  EXPECT_EQ(writer.stats().failed, 1u) << "a schema refusal is not retried";
  ASSERT_TRUE(writer.session_id(ok));
  EXPECT_EQ(store_->list_connections(*writer.session_id(ok))->size(), 1u);
}

TEST_F(SessionWriterTest, QueueingDoesNotWaitForASlowStore) {
  std::atomic<bool> release{false};
  faults_->set_rule([&](std::string_view) -> std::optional<Error> {
    while (!release.load()) std::this_thread::sleep_for(1ms);  // the database hangs
    return std::nullopt;
  });
  SessionWriter writer(*faults_, log::get("test"));
  const auto t0 = std::chrono::steady_clock::now();
  const auto s = writer.open_session(session());
  for (int i = 0; i < 50; ++i) writer.start_connection(s, connection("06" + std::to_string(i)));
  const auto queued_in = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(queued_in, 500ms) << "queueing waited for the store";
  EXPECT_FALSE(writer.session_id(s)) << "written although the store hangs";
  release = true;
  writer.drain();
  ASSERT_TRUE(writer.session_id(s));
  EXPECT_EQ(store_->list_connections(*writer.session_id(s))->size(), 50u);
}

TEST_F(SessionWriterTest, AFullQueueNeitherBlocksTheControlLoopNorDropsHistory) {
  std::atomic<bool> release{false};
  faults_->set_rule([&](std::string_view) -> std::optional<Error> {
    while (!release.load()) std::this_thread::sleep_for(1ms);
    return std::nullopt;
  });
  SessionWriter writer(*faults_, log::get("test"), 4);
  const auto s = writer.open_session(session());
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) writer.start_connection(s, connection("06" + std::to_string(i)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms) << "queueing waited for the store";
  EXPECT_TRUE(writer.stats().degraded) << "11 queued, capacity 4";
  release = true;
  ASSERT_TRUE(writer.drain(10s));
  EXPECT_EQ(store_->list_connections(*writer.session_id(s))->size(), 10u);
  EXPECT_EQ(writer.stats().max_queued, 11u);
  EXPECT_FALSE(writer.stats().degraded);
}

TEST_F(SessionWriterTest, StoppingWithTheStoreDownGivesUpAfterTheTimeoutAndSaysWhatIsLost) {
  faults_->set_rule([](std::string_view) -> std::optional<Error> { return Error::unavailable("disk I/O error"); });
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_);
  auto log = std::make_shared<spdlog::logger>("writer-test", sink);
  SessionWriterOptions o = fast();
  o.stop_timeout = 300ms;
  const auto t0 = std::chrono::steady_clock::now();
  {
    SessionWriter writer(*faults_, log, o);
    writer.open_session(session());
    EXPECT_FALSE(writer.drain(100ms));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  log->flush();
  EXPECT_NE(log_text_.str().find("[error] history writer: stopping with 1 writes not recorded"), std::string::npos)
      << log_text_.str();
}

TEST_F(SessionWriterTest, DestroyingTheWriterWritesWhatWasQueued) {
  SessionId id;
  {
    SessionWriter writer(*faults_, log::get("test"));
    const auto s = writer.open_session(session());
    writer.drain();
    id = writer.session_id(s).value_or(SessionId{});
    writer.start_connection(s, connection("0611"));  // queued, then the writer goes
    writer.start_connection(s, connection("0622"));
    writer.close_session(s, from_epoch_ms(1'700'000'003'000), "duration-elapsed");
  }
  ASSERT_TRUE(id.valid());
  EXPECT_EQ(store_->list_connections(id)->size(), 2u);
  EXPECT_EQ(store_->get_session(id)->close_reason, "duration-elapsed");
}

}  // namespace
}  // namespace confpro::conference
