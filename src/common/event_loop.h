// The control loop (ARCHITECTURE.md): one thread that runs posted tasks in order, and timers.
// Everything that changes conference state runs here; other threads only post().
// Thread safety: post(), stop() and is_current() may be called from any thread; run() from the one thread that
// owns the loop; add_timer()/cancel_timer() only from the loop's thread (from inside a task).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include "common/thread_annotations.h"

namespace confpro {

class EventLoop {
 public:
  using Task = std::function<void()>;
  using TimerId = std::uint64_t;
  using SteadyTime = std::chrono::steady_clock::time_point;

  EventLoop() = default;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Queues a task; returns false once the loop has stopped (the task is dropped).
  bool post(Task task);

  // Runs until stop(); tasks and due timers run on the calling thread.
  void run();
  // Asks run() to return after the task under way; pending tasks are dropped.
  void stop();
  bool is_current() const { return std::this_thread::get_id() == owner_; }

  // Loop thread only. A timer fires once, at `when` (monotonic). Cancelling an id that fired is harmless.
  TimerId add_timer(SteadyTime when, Task task);
  TimerId add_timer_after(std::chrono::milliseconds delay, Task task) {
    return add_timer(std::chrono::steady_clock::now() + delay, std::move(task));
  }
  void cancel_timer(TimerId id);
  std::size_t pending_timers() const { return timers_.size(); }

 private:
  Mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_ GUARDED_BY(mu_);
  bool stopped_ GUARDED_BY(mu_) = false;
  std::thread::id owner_;

  // Loop thread only.
  std::multimap<SteadyTime, TimerId> timers_;
  std::map<TimerId, std::pair<SteadyTime, Task>> timer_tasks_;
  TimerId next_timer_ = 1;
};

}  // namespace confpro
