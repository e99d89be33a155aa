#include "common/worker_pool.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace confpro {

WorkerPool::WorkerPool(int threads, std::string name, int nice) : name_(std::move(name)) {
  if (threads < 1) threads = 1;
  nice = std::clamp(nice, 0, 19);
  threads_.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, nice] {
      // Per thread on Linux: PRIO_PROCESS with the thread's own id.
      if (nice > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
      run();
    });
    pthread_setname_np(threads_.back().native_handle(), name_.substr(0, 15).c_str());
  }
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::post(Task task) {
  {
    MutexLock lock(mu_);
    if (stopped_) return false;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    MutexLock lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
}

std::size_t WorkerPool::queued() const {
  MutexLock lock(mu_);
  return tasks_.size();
}

void WorkerPool::run() {
  for (;;) {
    Task task;
    {
      MutexLock lock(mu_);
      while (!stopped_ && tasks_.empty()) lock.wait(cv_);
      if (tasks_.empty()) return;  // stopped and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace confpro
