#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "store/store.h"
#include "store/test_support.h"

namespace confpro::store {
namespace {

using testing::open_migrated;
using testing::sample_booking;
using testing::TempDir;

const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);

// A child process writes a booking and signals the parent only after insert_booking returned; the parent
// kills it with SIGKILL at once (no destructor, no checkpoint, no close) and the row must be in the file.
TEST(Durability, BookingSurvivesKillNineRightAfterTheCallReturned) {
  TempDir dir;
  const auto file = dir.path() / "crash.db";
  { ASSERT_TRUE(open_migrated(file)); }
  for (int round = 0; round < 3; ++round) {
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(pipe_fds[0]);
      auto store = open_store("sqlite://" + file.string());
      if (!store.ok()) _exit(2);
      auto b = sample_booking("crash " + std::to_string(round), std::to_string(800000 + round), kT0);
      SideEffects fx;
      fx.audit.push_back({0, kT0, "alice", "booking.create", "", "", "cli"});
      auto stored = (*store)->insert_booking(b, fx);
      char ok = stored.ok() ? 'y' : 'n';
      if (write(pipe_fds[1], &ok, 1) != 1) _exit(3);
      for (;;) pause();  // wait for SIGKILL
    }
    close(pipe_fds[1]);
    char ok = 0;
    ASSERT_EQ(read(pipe_fds[0], &ok, 1), 1);
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    close(pipe_fds[0]);
    ASSERT_EQ(ok, 'y');
    ASSERT_TRUE(WIFSIGNALED(status));
    auto reopened = open_migrated(file);
    ASSERT_TRUE(reopened);
    auto found = reopened->find_booking_by_name("crash " + std::to_string(round));
    ASSERT_TRUE(found.ok()) << "round " << round << ": " << found.error().message;
    EXPECT_EQ(found->number, std::to_string(800000 + round));
    EXPECT_EQ(reopened->list_audit({})->total, round + 1);
  }
}

// Several threads and two Store objects (as the server and the CLI would) write at once: every write
// succeeds; none fails with "database is locked".
TEST(Concurrency, ConcurrentWritersNeverSeeDatabaseLocked) {
  TempDir dir;
  const auto file = dir.path() / "busy.db";
  auto server = open_migrated(file);
  auto cli = open_migrated(file);
  ASSERT_TRUE(server && cli);
  constexpr int kThreads = 6, kPerThread = 40;
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex error_mutex;
  std::vector<std::thread> threads;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 ? *server : *cli;
      for (int i = 0; i < kPerThread && std::chrono::steady_clock::now() < deadline; ++i) {
        const int n = t * 1000 + i;
        auto b = store.insert_booking(
            sample_booking("b" + std::to_string(n), std::to_string(100000 + n), kT0), {});
        Status st = b.ok() ? Status{} : Status{b.error()};
        if (b.ok()) {
          b->max_participants = 20;
          auto u = store.update_booking(*b, b->version, {});
          if (!u.ok()) st = u.error();
        }
        if (st.ok()) st = store.append_audit({0, kT0, "t", "x", "", "", "cli"});
        if (!st.ok()) {
          ++failures;
          std::lock_guard lock(error_mutex);
          if (first_error.empty()) first_error = st.error().message;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0) << first_error;
  BookingQuery q;
  EXPECT_EQ(server->search_bookings(q)->total, kThreads * kPerThread);
  EXPECT_EQ(cli->list_audit({})->total, kThreads * kPerThread);
}

// Two updates from the same version: exactly one wins, the other is told it is stale.
TEST(Concurrency, OptimisticVersionLetsOneOfTwoConcurrentUpdatesWin) {
  TempDir dir;
  auto store = open_migrated(dir.path() / "v.db");
  ASSERT_TRUE(store);
  for (int round = 0; round < 20; ++round) {
    auto b = store
                 ->insert_booking(
                     sample_booking("v" + std::to_string(round), std::to_string(300000 + round), kT0), {})
                 .value();
    std::atomic<int> wins{0}, stale{0};
    auto writer = [&](int participants) {
      domain::Booking copy = b;
      copy.max_participants = participants;
      auto r = store->update_booking(copy, b.version, {});
      if (r.ok())
        ++wins;
      else if (r.error().code == ErrorCode::kFailedPrecondition)
        ++stale;
    };
    std::thread a(writer, 20), c(writer, 30);
    a.join();
    c.join();
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(stale.load(), 1);
    EXPECT_EQ(store->get_booking(b.id)->version, 2);
  }
}

}  // namespace
}  // namespace confpro::store
