#include "common/event_loop.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace confpro {

TEST(EventLoop, RunsPostedTasksInOrderOnItsThread) {
  EventLoop loop;
  std::vector<int> seen;
  std::thread::id loop_thread;
  std::thread t([&] { loop.run(); });
  const auto runner = t.get_id();
  for (int i = 0; i < 100; ++i) loop.post([&, i] { seen.push_back(i); loop_thread = std::this_thread::get_id(); });
  loop.post([&] { loop.stop(); });
  t.join();
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
  EXPECT_EQ(loop_thread, runner);
}

TEST(EventLoop, TimersFireInOrderAndCancelledOnesDoNot) {
  EventLoop loop;
  std::vector<int> fired;
  std::thread t([&] { loop.run(); });
  loop.post([&] {
    loop.add_timer_after(std::chrono::milliseconds(30), [&] { fired.push_back(3); loop.stop(); });
    loop.add_timer_after(std::chrono::milliseconds(10), [&] { fired.push_back(1); });
    auto id = loop.add_timer_after(std::chrono::milliseconds(20), [&] { fired.push_back(2); });
    loop.cancel_timer(id);
  });
  t.join();
  EXPECT_EQ(fired, (std::vector<int>{1, 3}));
}

TEST(EventLoop, PostAfterStopIsRefused) {
  EventLoop loop;
  loop.stop();
  EXPECT_FALSE(loop.post([] {}));
}

}  // namespace confpro
