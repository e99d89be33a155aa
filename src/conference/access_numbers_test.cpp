#include "conference/access_numbers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "store/fault_injection.h"
#include "store/test_support.h"

namespace confpro::conference {
namespace {

using namespace std::chrono_literals;
using domain::Language;

store::AccessNumber number(const std::string& digits, Language language = Language::kFrench,
                           const std::string& label = "") {
  return {digits, label, "local", language};
}

class AccessNumberTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::open_migrated(dir_.path() / "numbers.db");
    ASSERT_TRUE(store_);
    faults_ = std::make_unique<store::FaultInjectingStore>(*store_);
    thread_ = std::thread([this] { loop_.run(); });
  }
  void TearDown() override {
    table_.reset();
    loop_.stop();
    if (thread_.joinable()) thread_.join();
  }
  // Runs `fn` on the loop and returns its answer (what routing would see).
  template <typename F>
  auto on_loop(F fn) {
    std::promise<decltype(fn())> answer;
    auto got = answer.get_future();
    loop_.post([&] { answer.set_value(fn()); });
    return got.get();
  }
  // The language `dialled` routes to, or "" when it is not an access number (seen from the loop).
  std::string routed(const std::string& dialled) {
    return on_loop([&]() -> std::string {
      const auto* n = table_->find(dialled);
      return n ? domain::to_string(n->language) : "";
    });
  }
  // reload() and wait for its answer on the loop.
  Status reload() {
    std::promise<Status> done;
    auto got = done.get_future();
    table_->reload([&](Status st) { done.set_value(std::move(st)); });
    return got.get();
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::FaultInjectingStore> faults_;
  EventLoop loop_;
  std::thread thread_;
  std::unique_ptr<AccessNumberTable> table_;
};

TEST_F(AccessNumberTableTest, TheConfigurationSeedsOnlyWhatTheStoreLacks) {
  // The console changed 3001 (now French, relabelled): a restart with the configuration's English 3001 keeps
  // it.
  ASSERT_TRUE(store_->upsert_access_number(number("3001", Language::kFrench, "Console")).ok());
  auto added = seed_access_numbers(*store_, {number("3001", Language::kEnglish, "Configured"),
                                             number("3000", Language::kFrench, "Configured")});
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(*added, 1);
  auto all = store_->list_access_numbers().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], number("3000", Language::kFrench, "Configured"));
  EXPECT_EQ(all[1], number("3001", Language::kFrench, "Console"));
  // Seeding again adds nothing.
  EXPECT_EQ(seed_access_numbers(*store_, {number("3000"), number("3001")}).value(), 0);
}

TEST_F(AccessNumberTableTest, RoutesWhatTheStoreHoldsAndFollowsItsChanges) {
  ASSERT_TRUE(store_->upsert_access_number(number("3001", Language::kEnglish)).ok());
  table_ = std::make_unique<AccessNumberTable>(loop_, *store_);
  ASSERT_TRUE(table_->load().ok());
  EXPECT_EQ(routed("3001"), "en");
  EXPECT_EQ(routed("3050"), "");
  EXPECT_EQ(routed(""), "");

  // Added, changed, deleted in the store (as the console does): routed after each reload.
  ASSERT_TRUE(store_->upsert_access_number(number("3050", Language::kEnglish)).ok());
  EXPECT_EQ(routed("3050"), "") << "routing changed before it was told to reload";
  ASSERT_TRUE(reload().ok());
  EXPECT_EQ(routed("3050"), "en");
  ASSERT_TRUE(store_->upsert_access_number(number("3050", Language::kFrench)).ok());
  ASSERT_TRUE(reload().ok());
  EXPECT_EQ(routed("3050"), "fr");
  ASSERT_TRUE(store_->delete_access_number("3050").ok());
  ASSERT_TRUE(reload().ok());
  EXPECT_EQ(routed("3050"), "");
  EXPECT_EQ(routed("3001"), "en");
}

TEST_F(AccessNumberTableTest, AFailedReloadKeepsThePreviousNumbersRouted) {
  ASSERT_TRUE(store_->upsert_access_number(number("3001", Language::kEnglish)).ok());
  table_ = std::make_unique<AccessNumberTable>(loop_, *faults_);
  ASSERT_TRUE(table_->load().ok());
  faults_->fail_next("list_access_numbers", 1, Error::unavailable("database is down"));
  auto st = reload();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(routed("3001"), "en");
}

TEST_F(AccessNumberTableTest, ASlowStoreDoesNotHoldTheLoopWhileReloading) {
  table_ = std::make_unique<AccessNumberTable>(loop_, *faults_);
  ASSERT_TRUE(table_->load().ok());
  faults_->set_rule([](std::string_view method) -> std::optional<Error> {
    if (method == "list_access_numbers") std::this_thread::sleep_for(600ms);
    return std::nullopt;
  });
  ASSERT_TRUE(store_->upsert_access_number(number("3050")).ok());
  std::promise<Status> done;
  auto got = done.get_future();
  const auto asked = std::chrono::steady_clock::now();
  table_->reload([&](Status st) { done.set_value(std::move(st)); });
  // While the store read sleeps, the loop answers at once (calls keep being routed with the previous list).
  EXPECT_EQ(routed("3050"), "");
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 300ms) << "the loop waited for the store";
  EXPECT_TRUE(got.get().ok());
  EXPECT_EQ(routed("3050"), "fr");
}

}  // namespace
}  // namespace confpro::conference
