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
// closes whatever sessions and connections were left open (`interrupted`). drain() (on stop) and the
// destructor wait until every queued write is done.
//
// Thread safety: every method may be called from any thread (in practice the control loop); the store is used
// on the writer thread only. When `capacity` writes are waiting (the database far behind), queueing blocks
// until there is room rather than dropping history; that wait is logged.
#pragma once

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

namespace confpro::conference {

class SessionWriter {
 public:
  using Key = std::uint64_t;  // 0: none

  // Borrows the store (it must outlive the writer); starts the writer thread. capacity: queued writes [4096].
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
  // Blocks until every write queued before the call is done.
  void drain();

  struct Stats {
    std::uint64_t written = 0;     // writes done
    std::uint64_t failed = 0;      // writes the store refused, or skipped for a missing session/connection
    std::size_t max_queued = 0;    // high-water mark of the queue
  };
  Stats stats() const;

 private:
  using Write = std::function<bool(store::Store&)>;  // true when the write succeeded
  void push(Write write);
  void run();

  store::Store& store_;
  std::shared_ptr<spdlog::logger> log_;
  const std::size_t capacity_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Write> queue_;                          // GUARDED_BY(mu_)
  bool busy_ = false;                                // GUARDED_BY(mu_): a write is under way
  bool stopping_ = false;                            // GUARDED_BY(mu_)
  Key next_key_ = 1;                                 // GUARDED_BY(mu_)
  std::unordered_map<Key, SessionId> sessions_;      // GUARDED_BY(mu_)
  std::unordered_map<Key, ConnectionId> connections_;  // GUARDED_BY(mu_)
  Stats stats_;                                      // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace confpro::conference
