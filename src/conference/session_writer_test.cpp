#include "conference/session_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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
  store::AuditEntry e;
  e.at = from_epoch_ms(1'700'000'001'500);
  e.actor = "system";
  e.action = "pin.lockout";
  e.target = "conference:482913";
  e.source = "system";
  writer.append_audit(e);
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

TEST_F(SessionWriterTest, ASessionThatFailedToOpenSkipsItsConnectionsAndTheNextOneIsWritten) {
  faults_->fail_next("open_session", 1, Error::unavailable("disk full"));
  SessionWriter writer(*faults_, log::get("test"));
  const auto lost = writer.open_session(session());
  const auto c = writer.start_connection(lost, connection("0611"));
  writer.end_connection(c, from_epoch_ms(1'700'000'002'000), "hangup", 0, 0, 0);
  writer.close_session(lost, from_epoch_ms(1'700'000'003'000), "interrupted");
  const auto ok = writer.open_session(session());
  writer.start_connection(ok, connection("0622"));
  writer.drain();
  EXPECT_FALSE(writer.session_id(lost));
  EXPECT_EQ(writer.stats().failed, 4u);
  auto id = writer.session_id(ok);
  ASSERT_TRUE(id);
  auto conns = store_->list_connections(*id);
  ASSERT_TRUE(conns);
  ASSERT_EQ(conns->size(), 1u);
  EXPECT_EQ((*conns)[0].caller_number, "0622");
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

TEST_F(SessionWriterTest, AFullQueueWaitsForRoomInsteadOfDroppingHistory) {
  std::atomic<bool> release{false};
  faults_->set_rule([&](std::string_view) -> std::optional<Error> {
    while (!release.load()) std::this_thread::sleep_for(1ms);
    return std::nullopt;
  });
  SessionWriter writer(*faults_, log::get("test"), 4);
  const auto s = writer.open_session(session());
  std::atomic<int> queued{0};
  std::thread producer([&] {
    for (int i = 0; i < 10; ++i) {
      writer.start_connection(s, connection("06" + std::to_string(i)));
      ++queued;
    }
  });
  std::this_thread::sleep_for(200ms);
  EXPECT_LT(queued.load(), 10) << "more writes queued than the capacity while the store hangs";
  release = true;
  producer.join();
  writer.drain();
  EXPECT_EQ(store_->list_connections(*writer.session_id(s))->size(), 10u);
  EXPECT_LE(writer.stats().max_queued, 4u);
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
