#include "common/event_loop.h"

namespace confpro {

bool EventLoop::post(Task task) {
  {
    MutexLock lock(mu_);
    if (stopped_) return false;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void EventLoop::stop() {
  {
    MutexLock lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

EventLoop::TimerId EventLoop::add_timer(SteadyTime when, Task task) {
  TimerId id = next_timer_++;
  timers_.emplace(when, id);
  timer_tasks_.emplace(id, std::make_pair(when, std::move(task)));
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  auto it = timer_tasks_.find(id);
  if (it == timer_tasks_.end()) return;
  auto range = timers_.equal_range(it->second.first);
  for (auto t = range.first; t != range.second; ++t) {
    if (t->second == id) {
      timers_.erase(t);
      break;
    }
  }
  timer_tasks_.erase(it);
}

void EventLoop::run() {
  owner_ = std::this_thread::get_id();
  std::deque<Task> batch;
  for (;;) {
    {
      MutexLock lock(mu_);
      if (timers_.empty()) {
        while (!stopped_ && tasks_.empty()) lock.wait(cv_);
      } else {
        const SteadyTime until = timers_.begin()->first;
        while (!stopped_ && tasks_.empty() && lock.wait_until(cv_, until) == std::cv_status::no_timeout) {
        }
      }
      if (stopped_) return;
      batch.swap(tasks_);
    }
    for (auto& task : batch) task();
    batch.clear();
    // Due timers; a timer task may add or cancel timers.
    auto now = std::chrono::steady_clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      TimerId id = timers_.begin()->second;
      timers_.erase(timers_.begin());
      auto it = timer_tasks_.find(id);
      if (it == timer_tasks_.end()) continue;
      Task task = std::move(it->second.second);
      timer_tasks_.erase(it);
      task();
    }
  }
}

}  // namespace confpro
