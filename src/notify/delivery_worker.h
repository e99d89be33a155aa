// The delivery worker (FEATURES.md N1–N3): a thread of its own, never the control loop, that takes due outbox
// rows, sends each through the Sender of its kind and records the attempt in the store — mark_sent, or
// mark_failed with the server's reply and a retry time (retry.h: back-off with jitter), or "failed" once the
// deadline passed or the server refused the message for good.
//
// At least once: a row is taken with Store::claim_message (a lease, so another node or a second process does
// not send it meanwhile), sent, then recorded. A crash between sending and recording leaves it pending: it is
// sent again when the lease ends, with the same Message-ID (mime.h), so the duplicate is recognisable; it is
// never lost. A kind without a Sender (e.g. no [notify.smtp]) stays pending, logged once. When the server
// itself fails (unreachable, TLS, AUTH: SendResult::server_down) the look ends for that kind and the next one
// waits retry.first_delay: one probe, not one timeout per waiting message.
//
// Woken at once when this process writes outbox rows (start() sets itself as the store's outbox listener, one
// worker per store; stop() removes it): a booking's mail leaves without waiting for the poll. The poll
// (poll_interval) still finds the rows other processes write (the CLI, another node) and retries come due.
//
// Thread safety: start/stop/wake from any thread; run_once from one thread at a time (the worker's, or a
// test's).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "common/thread_annotations.h"
#include "common/time.h"
#include "notify/retry.h"
#include "notify/sender.h"
#include "store/store.h"

namespace confpro::notify {

struct WorkerOptions {
  RetryPolicy retry;
  std::chrono::milliseconds poll_interval{200};  // how often the outbox is looked at (an indexed read) [200 ms]
  int batch = 50;                                // rows taken per look
  double rate_per_second = 20;                   // per destination server; 0 = no limit [20]
  double burst = 50;
  std::chrono::milliseconds lease{std::chrono::minutes{2}};  // a taken row is left alone this long
};

class DeliveryWorker {
 public:
  // `senders` by kind ("email", "sms"). Borrows store and clock.
  DeliveryWorker(store::Store& store, const Clock& clock,
                 std::map<std::string, std::unique_ptr<Sender>> senders, WorkerOptions options,
                 std::uint64_t seed = 0);
  ~DeliveryWorker();
  void start();
  void stop();  // cancels the message being sent, if any (Sender::cancel), and joins the thread
  void wake();  // look at the outbox now

  // One look: sends what is due, as the thread does. Returns how many rows were attempted.
  int run_once();

 private:
  void run();
  double jitter();

  store::Store& store_;
  const Clock& clock_;
  std::map<std::string, std::unique_ptr<Sender>> senders_;
  WorkerOptions options_;
  RateLimiter limiter_;
  std::uint64_t rng_;
  std::set<std::string> reported_unsent_kinds_;
  std::map<std::string, TimePoint> held_until_;  // kind → no sending before (its server failed: SendResult)
  Mutex mu_;
  std::condition_variable cv_;
  bool stopped_ GUARDED_BY(mu_) = false;
  bool woken_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace confpro::notify
