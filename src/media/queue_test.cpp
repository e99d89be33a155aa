#include "media/queue.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

namespace confpro::media {
namespace {

TEST(BoundedQueue, FullQueueRefusesAndLeavesTheValue) {
  BoundedQueue<std::unique_ptr<int>> q(2);
  auto a = std::make_unique<int>(1), b = std::make_unique<int>(2), c = std::make_unique<int>(3);
  EXPECT_TRUE(q.push(a));
  EXPECT_TRUE(q.push(b));
  EXPECT_FALSE(q.push(c));
  ASSERT_NE(c, nullptr);  // not moved from
  EXPECT_EQ(**q.pop(), 1);
  EXPECT_TRUE(q.push(c));
  EXPECT_EQ(**q.pop(), 2);
  EXPECT_EQ(**q.pop(), 3);
  EXPECT_FALSE(q.pop().has_value());
}

TEST(BoundedQueue, ManyProducersLoseNothing) {
  BoundedQueue<int> q(1024);
  constexpr int kProducers = 4, kEach = 20000;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&q, p] {
      for (int i = 0; i < kEach; ++i) {
        int v = p * kEach + i;
        while (!q.push(v)) std::this_thread::yield();
      }
    });
  }
  std::vector<int> last(kProducers, -1);
  int got = 0;
  while (got < kProducers * kEach) {
    if (auto v = q.pop()) {
      const int p = *v / kEach, i = *v % kEach;
      ASSERT_GT(i, last[p]);  // each producer's values arrive in order
      last[p] = i;
      ++got;
    } else {
      std::this_thread::yield();
    }
  }
  for (auto& t : producers) t.join();
  EXPECT_FALSE(q.pop().has_value());
}

}  // namespace
}  // namespace confpro::media
