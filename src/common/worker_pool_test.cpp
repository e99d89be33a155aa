#include "common/worker_pool.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>

namespace confpro {

TEST(WorkerPool, RunsWorkOffTheLoopAndItsAnswerOnTheLoop) {
  EventLoop loop;
  std::thread t([&] { loop.run(); });
  const auto loop_thread = t.get_id();
  WorkerPool pool(2, "test-pool");
  std::thread::id work_thread, done_thread;
  int answer = 0;
  loop.post([&] {
    pool.then<int>(
        loop, [&] { work_thread = std::this_thread::get_id(); return 42; },
        [&](int v) {
          answer = v;
          done_thread = std::this_thread::get_id();
          loop.stop();
        });
  });
  t.join();
  EXPECT_EQ(answer, 42);
  EXPECT_EQ(done_thread, loop_thread);
  EXPECT_NE(work_thread, loop_thread);
}

TEST(WorkerPool, SlowWorkDoesNotHoldTheLoop) {
  EventLoop loop;
  std::thread t([&] { loop.run(); });
  WorkerPool pool(1, "test-pool");
  std::atomic<int> ticks{0};
  std::atomic<bool> slow_done{false};
  loop.post([&] {
    pool.then<bool>(
        loop, [] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); return true; },
        [&](bool) { slow_done = true; loop.stop(); });
    // While the worker sleeps the loop keeps running its timers.
    for (int i = 1; i <= 5; ++i) loop.add_timer_after(std::chrono::milliseconds(20 * i), [&] { ++ticks; });
  });
  t.join();
  EXPECT_TRUE(slow_done);
  EXPECT_EQ(ticks.load(), 5);
}

TEST(WorkerPool, OneThreadKeepsOrderAndStopDrainsTheQueue) {
  std::vector<int> seen;
  {
    WorkerPool pool(1, "test-pool");
    for (int i = 0; i < 50; ++i) pool.post([&, i] { seen.push_back(i); });
    pool.stop();
    EXPECT_FALSE(pool.post([] {}));
  }
  ASSERT_EQ(seen.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
}

TEST(WorkerPool, ABackgroundPoolRunsItsTasksAtALowerPriorityAndLeavesTheCallersAlone) {
  const int caller = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  std::atomic<int> background{-100}, plain{-100};
  {
    WorkerPool low(1, "test-low", 10);
    WorkerPool normal(1, "test-normal");
    low.post([&] { background = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())); });
    normal.post([&] { plain = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())); });
  }
  EXPECT_EQ(background.load(), std::max(10, caller));
  EXPECT_EQ(plain.load(), caller);
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), caller);
}

}  // namespace confpro
