// Writes the connection history — conference sessions and participant connections — and the conference
// service's audit entries (PIN lockouts, console actions) to the store on one writer thread, so the control loop never waits on the database (a commit with fsync takes milliseconds on
// SQLite). Writes run one at a time in the order they were queued, so a session is always stored before its
// connections and a connection's start before its end.
//
// The control loop names sessions and connections with keys it gets at once from this writer; the writer
// maps them to the ids the store assigns. A write that refers to a session or connection whose own write
// failed is skipped and logged (the history then misses that row, as it would have without the writer).
//
// Durability: a write is committed within milliseconds of being queued, normally long before the participant
// hears the room; a kill -9 loses at most the writes still queued (never a partial row), and the next start
// closes whatever sessions and connections were left open (`interrupted`).
//
// Failures (issue 11 item 7: history once stopped being written, silently). Nothing is dropped and nothing is
// reordered: a write the store refuses stays at the head of the queue and is tried again with a back-off
// (first_retry, doubling up to max_retry) until it succeeds — a database that is down, locked (SQLite BUSY past
// its timeout) or full holds the history back, it does not lose it. Only a write refused for a reason retrying
// cannot fix (bad data, a constraint; not kUnavailable / kResourceExhausted) is given up, after
// max_attempts_refused tries, and counted as dropped. An exception from a write is caught and is a failure like
// any other: it never ends the thread. Every failure is logged at error level with the counts (attempt, queued,
// age of the oldest), and the recovery once. A watchdog thread logs at error level while the oldest pending
// write is older than stall_after (a store call that hangs, or a database down for long), again every
// stall_after, and stats() says all of it for /api/v1/health. The queue never blocks the control loop: past
// `capacity` the writer is degraded and says so, and keeps everything. drain() and the destructor wait for the
// queue to empty, the destructor at most stop_timeout (then it logs how many writes are lost).
//
// Thread safety: every method may be called from any thread (in practice the control loop); the store is used
// on the writer thread only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "common/log.h"
#include "common/strong_id.h"
#include "common/time.h"
#include "store/store.h"
#include "common/thread_annotations.h"

namespace confpro::conference {

struct SessionWriterOptions {
  std::size_t capacity = 4096;                    // queued writes past which the writer reports degraded [4096]
  std::chrono::milliseconds first_retry{100};     // wait before retrying a failed write [100 ms], doubled ...
  std::chrono::milliseconds max_retry{5000};      // ... up to this [5 s]
  int max_attempts_refused = 3;                   // tries of a write refused for good (not "unavailable") [3]
  std::chrono::milliseconds stall_after{10000};   // the oldest pending write older than this: logged [10 s]
  std::chrono::milliseconds stop_timeout{10000};  // the destructor retries at most this long [10 s]
};

class SessionWriter {
 public:
  using Key = std::uint64_t;  // 0: none

  // Borrows the store (it must outlive the writer); starts the writer and watchdog threads.
  SessionWriter(store::Store& store, std::shared_ptr<spdlog::logger> log, const SessionWriterOptions& options);
  SessionWriter(store::Store& store, std::shared_ptr<spdlog::logger> log, std::size_t capacity = 4096);
  ~SessionWriter();  // drains the queue, then stops the thread
  SessionWriter(const SessionWriter&) = delete;
  SessionWriter& operator=(const SessionWriter&) = delete;

  // session.id is ignored; the returned key names the session in later calls.
  Key open_session(store::ConferenceSession session);
  void close_session(Key session, TimePoint closed_at, std::string reason);
  void set_recording_path(Key session, std::string path);
  // connection.session is filled from `session`.
  Key start_connection(Key session, store::ParticipantConnection connection);
  void end_connection(Key connection, TimePoint left_at, std::string reason, double loss_fraction, double jitter_ms,
                      double rtt_ms);

  // An audit entry, written in its turn with the history.
  void append_audit(store::AuditEntry entry);

  // The store's id of a session once written and until its close is written (nullopt before, after, or if its
  // opening failed).
  std::optional<SessionId> session_id(Key session) const;
  // Blocks until every write queued before the call is done, or `timeout` passed (false then).
  bool drain(std::chrono::milliseconds timeout = std::chrono::hours(24));

  struct Stats {
    std::uint64_t written = 0;     // writes done
    std::uint64_t failed = 0;      // attempts that failed (each retry counts)
    std::uint64_t dropped = 0;     // writes given up (refused for good, or their session/connection was)
    std::size_t max_queued = 0;    // high-water mark of the queue
    std::size_t queued = 0;        // waiting now, the one under way included
    int failing_for = 0;           // failed attempts in a row of the write at the head (0: the last one worked)
    std::chrono::milliseconds oldest_pending{0};     // age of the oldest write not yet done (0: none)
    std::optional<std::chrono::milliseconds> since_last_write;  // since the last successful write (none yet)
    std::string last_error;        // of the latest failure ("" when none yet)
    bool stalled = false;          // oldest_pending > stall_after
    bool degraded = false;         // failing, stalled, or more than `capacity` queued
  };
  Stats stats() const;

 private:
  // A write: its Status is ok when done; an error is retried unless the code says retrying cannot help.
  using Write = std::function<Status(store::Store&)>;
  struct Pending {
    Write write;
    const char* what;  // for logs: "session open", "connection start", …
    std::chrono::steady_clock::time_point queued_at;
    int attempts = 0;
  };
  void push(const char* what, Write write);
  void run();
  void watch();
  Status attempt(Pending& p);
  static bool retryable(const Error& e);
  Stats stats_locked(std::chrono::steady_clock::time_point now) const REQUIRES(mu_);

  store::Store& store_;
  std::shared_ptr<spdlog::logger> log_;
  const SessionWriterOptions options_;

  mutable Mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_ GUARDED_BY(mu_);  // the head stays until done
  bool busy_ GUARDED_BY(mu_) = false;  // a write is under way
  bool stopping_ GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point stop_deadline_ GUARDED_BY(mu_){};
  std::optional<std::chrono::steady_clock::time_point> last_write_ GUARDED_BY(mu_);
  std::string last_error_ GUARDED_BY(mu_);
  bool over_capacity_logged_ GUARDED_BY(mu_) = false;
  bool watchdog_stop_ GUARDED_BY(mu_) = false;
  Key next_key_ GUARDED_BY(mu_) = 1;
  std::unordered_map<Key, SessionId> sessions_ GUARDED_BY(mu_);
  std::unordered_map<Key, ConnectionId> connections_ GUARDED_BY(mu_);
  Stats stats_ GUARDED_BY(mu_);  // the counters
  std::thread thread_, watchdog_;
};

}  // namespace confpro::conference
