#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

#include "store/store.h"
#include "store/test_support.h"

namespace confpro::store {
namespace {

using testing::open_migrated;
using testing::sample_booking;
using testing::TempDir;

const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);

// A child process with its own Store on `file`: `work` runs there and reports through `say` (one byte each,
// read by the parent from `fd`); then the child waits for the SIGKILL of kill_child.
struct Child {
  pid_t pid = -1;
  int fd = -1;
};

Child fork_child(const std::filesystem::path& file,
                 const std::function<void(Store&, const std::function<void(char)>&)>& work) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {};
  pid_t child = fork();
  if (child == 0) {
    close(pipe_fds[0]);
    auto store = open_store("sqlite://" + file.string());
    if (!store.ok()) _exit(2);
    work(**store, [&](char c) {
      if (write(pipe_fds[1], &c, 1) != 1) _exit(3);
    });
    for (;;) pause();  // wait for SIGKILL
  }
  close(pipe_fds[1]);
  return {child, pipe_fds[0]};
}

// SIGKILL (no destructor, no checkpoint, no close); true when it died of it.
bool kill_child(Child& c) {
  kill(c.pid, SIGKILL);
  int status = 0;
  waitpid(c.pid, &status, 0);
  return WIFSIGNALED(status);
}

// A child process writes a booking and signals the parent only after insert_booking returned; the parent
// kills it with SIGKILL at once (no destructor, no checkpoint, no close) and the row must be in the file.
TEST(Durability, BookingSurvivesKillNineRightAfterTheCallReturned) {
  TempDir dir;
  const auto file = dir.path() / "crash.db";
  { ASSERT_TRUE(open_migrated(file)); }
  for (int round = 0; round < 3; ++round) {
    Child child = fork_child(file, [&](Store& store, const std::function<void(char)>& say) {
      auto b = sample_booking("crash " + std::to_string(round), std::to_string(800000 + round), kT0);
      SideEffects fx;
      fx.audit.push_back({0, kT0, "alice", "booking.create", "", "", "cli"});
      say(store.insert_booking(b, fx).ok() ? 'y' : 'n');
    });
    ASSERT_GE(child.pid, 0);
    char ok = 0;
    ASSERT_EQ(read(child.fd, &ok, 1), 1);
    ASSERT_TRUE(kill_child(child));
    close(child.fd);
    ASSERT_EQ(ok, 'y');
    auto reopened = open_migrated(file);
    ASSERT_TRUE(reopened);
    auto found = reopened->find_booking_by_name("crash " + std::to_string(round));
    ASSERT_TRUE(found.ok()) << "round " << round << ": " << found.error().message;
    EXPECT_EQ(found->number, std::to_string(800000 + round));
    EXPECT_EQ(reopened->list_audit({})->total, round + 1);
  }
}

// Issue 12 item 8: a purge is one transaction. A child purges a history of many conferences and is killed
// with SIGKILL at increasing moments; after each kill the history is either whole (with no purge in the audit
// log) or gone (with its audit entry) — never half — and a purge that returned is on disk.
TEST(Durability, PurgeIsAllOrNothingUnderKillNine) {
  TempDir dir;
  const auto file = dir.path() / "purge.db";
  constexpr int kConferences = 120;
  {
    auto store = open_migrated(file);
    ASSERT_TRUE(store);
    for (int i = 0; i < kConferences; ++i) {
      auto b = sample_booking("old " + std::to_string(i), std::to_string(500000 + i), kT0);
      b.state = domain::BookingState::kEnded;
      b.opened_at = kT0;
      b.ended_at = kT0 + std::chrono::minutes(30);
      auto stored = store->insert_booking(b, {}).value();
      ConferenceSession s;
      s.booking = stored.id;
      s.number = stored.number;
      s.opened_at = kT0;
      auto opened = store->open_session(s).value();
      ParticipantConnection c;
      c.session = opened.id;
      c.booking = stored.id;
      c.caller_number = "0611111111";
      c.joined_at = kT0;
      ASSERT_TRUE(store->start_connection(c).ok());
      ASSERT_TRUE(store->close_session(opened.id, kT0 + std::chrono::minutes(30), "duration-elapsed").ok());
    }
  }
  bool purged = false;
  for (int delay_us = 0; !purged && delay_us < 2'000'000; delay_us = delay_us * 2 + 500) {
    Child child = fork_child(file, [](Store& store, const std::function<void(char)>& say) {
      say('g');
      SideEffects fx;
      fx.audit.push_back({0, kT0, "admin", "history.purge", "history", "", "web"});
      say(store.purge_history(kT0 + std::chrono::hours(24 * 30), false, fx).ok() ? 'y' : 'n');
    });
    ASSERT_GE(child.pid, 0);
    char go = 0;
    ASSERT_EQ(read(child.fd, &go, 1), 1);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    ASSERT_TRUE(kill_child(child));
    char ok = 0;
    const bool returned = read(child.fd, &ok, 1) == 1 && ok == 'y';
    close(child.fd);
    auto reopened = open_migrated(file);
    ASSERT_TRUE(reopened);
    const auto sessions = reopened->list_sessions({})->total;
    const auto audit = reopened->list_audit({})->total;
    if (sessions == 0) {
      EXPECT_EQ(audit, 1) << "purged without its audit entry (delay " << delay_us << " us)";
      EXPECT_EQ(reopened->search_bookings({})->total, 0);
      purged = true;
    } else {
      EXPECT_EQ(sessions, kConferences) << "half a purge survived (delay " << delay_us << " us)";
      EXPECT_EQ(audit, 0);
      EXPECT_FALSE(returned) << "the purge returned but is not on disk";
    }
  }
  EXPECT_TRUE(purged);
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
