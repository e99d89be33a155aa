// The operations sampler (operations.h) over a real control loop and SQLite store, with fakes for the rest:
// what /healthz, /readyz and /metrics read, including a stuck loop and a store that does not answer.
#include "app/operations.h"

#include <gtest/gtest.h>

#include <future>

#include "sip/fake_media_engine.h"
#include "store/fault_injection.h"
#include "store/test_support.h"
#include "web/fake_control_api.h"

namespace confpro::app {
namespace {

using namespace std::chrono_literals;

class CountingSip final : public sip::SipEndpoint {
 public:
  void accept(CallId, RoomId) override {}
  void reject(CallId, int, const std::string&) override {}
  void hangup(CallId, const std::string&) override {}
  Result<CallId> dial(const sip::DialRequest&) override { return Error::precondition("fake"); }
  void stop() override {}
  std::uint16_t bound_port() const override { return 5060; }
  int live_calls() const override { return 4; }
  std::uint64_t calls_answered_in() const override { return 7; }
};

double value_of(const std::vector<web::MetricFamily>& families, const std::string& name) {
  for (const auto& f : families)
    if (f.name == name && !f.samples.empty()) return f.samples.front().value;
  ADD_FAILURE() << "no metric " << name;
  return -1;
}

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds within = 3s) {
  const auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

class OperationsSamplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inner_ = store::testing::open_migrated(dir_.path() / "ops.db");
    ASSERT_NE(inner_, nullptr);
    store_ = std::make_unique<store::FaultInjectingStore>(*inner_);
    loop_thread_ = std::thread([this] { loop_.run(); });
  }
  void TearDown() override {
    sampler_.reset();
    loop_.stop();
    loop_thread_.join();
    store_.reset();
    inner_.reset();
  }
  OperationsSampler& start() {
    sampler_ =
        std::make_unique<OperationsSampler>(loop_, control_, sip_, media_, *store_, clock_, "node-a", 20ms,
                                            200ms);
    return *sampler_;
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> inner_;
  std::unique_ptr<store::FaultInjectingStore> store_;
  EventLoop loop_;
  std::thread loop_thread_;
  web::testing::FakeControlApi control_;
  CountingSip sip_;
  sip::FakeMediaEngine media_;
  ManualClock clock_{from_epoch_ms(1'800'000'000'000)};
  std::unique_ptr<OperationsSampler> sampler_;
};

TEST_F(OperationsSamplerTest, ReportsLoadCallsAndTheOutboxBacklog) {
  conference::LiveConference a, b;
  a.participants.resize(2);
  b.participants.resize(1);
  control_.conferences = {a, b};
  store::OutboxMessage m;
  m.kind = "sms";
  m.recipient = "+33612345678";
  m.body = "hello";
  ASSERT_TRUE(store_->enqueue(m).ok());
  auto& probe = start();
  ASSERT_TRUE(eventually([&] { return value_of(probe.metrics(), "confpro_outbox_pending") == 1; }));
  const auto m1 = probe.metrics();
  EXPECT_EQ(value_of(m1, "confpro_conferences"), 2);
  EXPECT_EQ(value_of(m1, "confpro_participants"), 3);
  EXPECT_EQ(value_of(m1, "confpro_sip_calls_active"), 4);
  EXPECT_EQ(value_of(m1, "confpro_sip_calls_answered_total"), 7);  // direction="in" comes first
  EXPECT_EQ(value_of(m1, "confpro_store_up"), 1);
  EXPECT_EQ(value_of(m1, "confpro_draining"), 0);
  EXPECT_GE(value_of(m1, "confpro_control_loop_lag_seconds"), 0);
  EXPECT_LT(value_of(m1, "confpro_control_loop_lag_seconds"), 0.2);
  const auto st = probe.status();
  EXPECT_TRUE(st.alive && st.store_ok && !st.draining);
  // The node's heartbeat carries the same load, at the clock's time.
  ASSERT_TRUE(eventually([&] { return store_->node_beat("node-a").ok(); }));
  EXPECT_EQ(store_->node_beat("node-a").value(), (store::NodeBeat{"node-a", clock_.now(), 2, 3}));
}

TEST_F(OperationsSamplerTest, AStuckControlLoopIsNotAliveAndItsLagGrowsUntilItRunsAgain) {
  auto& probe = start();
  ASSERT_TRUE(eventually([&] { return probe.status().alive; }));
  std::promise<void> release;
  auto released = release.get_future().share();
  loop_.post([released] { released.wait(); });  // the loop is busy with one long task
  ASSERT_TRUE(eventually([&] { return !probe.status().alive; })) << "never seen stuck";
  EXPECT_GE(value_of(probe.metrics(), "confpro_control_loop_lag_seconds"), 0.2);
  release.set_value();
  EXPECT_TRUE(eventually([&] { return probe.status().alive; })) << "never alive again";
}

TEST_F(OperationsSamplerTest, AStoreThatDoesNotAnswerMakesTheNodeNotReadyUntilItAnswersAgain) {
  store_->set_rule([](std::string_view method) -> std::optional<Error> {
    if (method == "count_pending_outbox") return Error::unavailable("database is down");
    return std::nullopt;
  });
  auto& probe = start();
  ASSERT_TRUE(eventually([&] { return !probe.status().store_ok; }));
  EXPECT_TRUE(probe.status().alive);
  EXPECT_EQ(value_of(probe.metrics(), "confpro_store_up"), 0);
  store_->clear();
  EXPECT_TRUE(eventually([&] { return probe.status().store_ok; }));
}

TEST_F(OperationsSamplerTest, DrainingIsReportedAtOnce) {
  auto& probe = start();
  probe.set_draining();
  EXPECT_TRUE(probe.status().draining);
  EXPECT_EQ(value_of(probe.metrics(), "confpro_draining"), 1);
}

}  // namespace
}  // namespace confpro::app
