// Threads for slow work that must not run on the control loop: store reads and writes, directory look-ups,
// password hashing (docs/architecture.md "Threads"). A task runs on one of the pool's threads; `then` hands its
// result back to an EventLoop, so the control loop asks, goes on with other calls, and gets the answer later as
// an ordinary posted task.
// Thread safety: post(), then() and stop() from any thread. Tasks run concurrently when the pool has more than one
// thread (no ordering between them); a pool of one thread runs them in the order posted.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/event_loop.h"
#include "common/thread_annotations.h"

namespace confpro {

class WorkerPool {
 public:
  using Task = std::function<void()>;

  // `name` names the threads (top, gdb): at most 15 characters. `nice` (0–19) lowers the threads' scheduling
  // priority (Linux keeps a nice value per thread): a pool of background work (logins, password hashing, look-ups)
  // yields the cores to the media and control threads when the machine is busy, so a burst of logins does not
  // delay a caller's audio. Raising priority (negative values) is not offered; failures are ignored.
  WorkerPool(int threads, std::string name, int nice = 0);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();  // stop()

  // Queues a task; false once stopped (the task is dropped).
  bool post(Task task);

  // Runs `work` on a worker, then `done(result)` on `loop`. When the loop has stopped meanwhile, `done` is
  // dropped. False (nothing runs) once the pool is stopped.
  template <typename T>
  bool then(EventLoop& loop, std::function<T()> work, std::function<void(T)> done) {
    return post([&loop, work = std::move(work), done = std::move(done)]() mutable {
      auto result = std::make_shared<T>(work());
      loop.post([done = std::move(done), result]() mutable { done(std::move(*result)); });
    });
  }

  // Runs the queued tasks to their end, then joins the threads; later posts are refused. Idempotent.
  void stop();

  // Tasks queued and not started (health, tests).
  std::size_t queued() const;

 private:
  void run();

  mutable Mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;  // guarded by mu_
  bool stopped_ = false;    // guarded by mu_
  std::vector<std::thread> threads_;
  std::string name_;
};

}  // namespace confpro
