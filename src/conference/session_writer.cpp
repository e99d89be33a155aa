#include "conference/session_writer.h"

#include <algorithm>

namespace confpro::conference {

namespace {

using SteadyClock = std::chrono::steady_clock;

long long ms(SteadyClock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

}  // namespace

SessionWriter::SessionWriter(store::Store& store, std::shared_ptr<spdlog::logger> log,
                             const SessionWriterOptions& options)
    : store_(store), log_(std::move(log)), options_(options) {
  thread_ = std::thread([this] { run(); });
  watchdog_ = std::thread([this] { watch(); });
}

SessionWriter::SessionWriter(store::Store& store, std::shared_ptr<spdlog::logger> log, std::size_t capacity)
    : SessionWriter(store, std::move(log), SessionWriterOptions{capacity == 0 ? 1 : capacity}) {}

SessionWriter::~SessionWriter() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    stop_deadline_ = SteadyClock::now() + options_.stop_timeout;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    MutexLock lock(mu_);
    watchdog_stop_ = true;
  }
  cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

void SessionWriter::push(const char* what, Write write) {
  MutexLock lock(mu_);
  queue_.push_back(Pending{std::move(write), what, SteadyClock::now(), 0});
  stats_.max_queued = std::max(stats_.max_queued, queue_.size());
  if (queue_.size() > options_.capacity && !over_capacity_logged_) {
    over_capacity_logged_ = true;
    log_->error("history writer: {} writes queued (capacity {}): the database is far behind; they are kept, in "
                "order, until it catches up",
                queue_.size(), options_.capacity);
  } else if (queue_.size() <= options_.capacity / 2) {
    over_capacity_logged_ = false;
  }
  cv_.notify_all();
}

bool SessionWriter::retryable(const Error& e) {
  return e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kResourceExhausted;
}

Status SessionWriter::attempt(Pending& p) {
  try {
    return p.write(store_);
  } catch (const std::exception& e) {  // a write must never end the thread
    return Error::internal(std::string("exception: ") + e.what());
  } catch (...) {
    return Error::internal("unknown exception");
  }
}

void SessionWriter::run() {
  MutexLock lock(mu_);
  for (;;) {
    while (!stopping_ && queue_.empty()) lock.wait(cv_);
    if (queue_.empty()) return;  // stopping, and everything is written
    Pending& head = queue_.front();
    busy_ = true;
    lock.unlock();
    const Status st = attempt(head);
    lock.lock();
    busy_ = false;
    const auto now = SteadyClock::now();
    if (st.ok()) {
      if (stats_.failing_for > 0) {
        log_->warn("history writer: writing again after {} failed attempts; {} writes queued, the oldest {} ms old",
                   stats_.failing_for, queue_.size(), ms(now - head.queued_at));
      }
      queue_.pop_front();
      ++stats_.written;
      stats_.failing_for = 0;
      last_write_ = now;
      cv_.notify_all();
      continue;
    }
    ++stats_.failed;
    ++stats_.failing_for;
    ++head.attempts;
    last_error_ = st.error().message;
    const bool again = retryable(st.error()) || (st.error().code != ErrorCode::kFailedPrecondition &&
                                                 head.attempts < options_.max_attempts_refused);
    if (!again) {
      ++stats_.dropped;
      log_->error("history writer: {} given up after {} attempts, not recorded: {} ({} dropped so far)", head.what,
                  head.attempts, st.error().message, stats_.dropped);
      queue_.pop_front();
      stats_.failing_for = 0;
      cv_.notify_all();
      continue;
    }
    if (stopping_ && now >= stop_deadline_) {
      stats_.dropped += queue_.size();
      log_->error("history writer: stopping with {} writes not recorded (the store kept failing: {})", queue_.size(),
                  st.error().message);
      queue_.clear();
      cv_.notify_all();
      return;
    }
    auto delay = options_.first_retry;
    for (int i = 1; i < head.attempts && delay < options_.max_retry; ++i) delay *= 2;
    delay = std::min(delay, options_.max_retry);
    log_->error("history writer: {} failed (attempt {}, {} writes queued, the oldest {} ms old): {}; retrying in {} ms",
                head.what, head.attempts, queue_.size(), ms(now - head.queued_at), st.error().message, delay.count());
    const auto retry_at = SteadyClock::now() + delay;
    while (!(stopping_ && SteadyClock::now() >= stop_deadline_) &&
           lock.wait_until(cv_, retry_at) == std::cv_status::no_timeout) {
    }
  }
}

void SessionWriter::watch() {
  const auto period = std::clamp<std::chrono::milliseconds>(options_.stall_after / 4, std::chrono::milliseconds(10),
                                                            std::chrono::milliseconds(1000));
  MutexLock lock(mu_);
  // When the current stall was last logged (a plain pair: GCC 12 at -O1 warns that an optional's time may be
  // used uninitialized).
  bool stall_logged = false;
  SteadyClock::time_point logged_at{};
  while (!watchdog_stop_) {
    const auto wake_at = SteadyClock::now() + period;
    while (!watchdog_stop_ && lock.wait_until(cv_, wake_at) == std::cv_status::no_timeout) {
    }
    const auto now = SteadyClock::now();
    const Stats s = stats_locked(now);
    if (!s.stalled) {
      if (stall_logged) log_->warn("history writer: no longer stalled ({} writes queued)", s.queued);
      stall_logged = false;
      continue;
    }
    if (stall_logged && now - logged_at < options_.stall_after) continue;
    stall_logged = true;
    logged_at = now;
    log_->error("history writer stalled: the oldest pending write ({}) is {} ms old; {} writes queued, {} failed "
                "attempts in a row{}, last successful write {}",
                queue_.front().what, s.oldest_pending.count(), s.queued, s.failing_for,
                busy_ ? ", a store call under way" : "",
                s.since_last_write ? std::to_string(s.since_last_write->count()) + " ms ago" : std::string("never"));
  }
}

bool SessionWriter::drain(std::chrono::milliseconds timeout) {
  MutexLock lock(mu_);
  const auto until = SteadyClock::now() + timeout;
  while (!(queue_.empty() && !busy_)) {
    if (lock.wait_until(cv_, until) == std::cv_status::timeout) return queue_.empty() && !busy_;
  }
  return true;
}

SessionWriter::Stats SessionWriter::stats_locked(SteadyClock::time_point now) const {
  Stats s = stats_;
  s.queued = queue_.size();
  if (!queue_.empty()) s.oldest_pending = std::chrono::duration_cast<std::chrono::milliseconds>(now - queue_.front().queued_at);
  if (last_write_) s.since_last_write = std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_write_);
  s.last_error = last_error_;
  s.stalled = !queue_.empty() && s.oldest_pending > options_.stall_after;
  s.degraded = s.failing_for > 0 || s.stalled || s.queued > options_.capacity;
  return s;
}

SessionWriter::Stats SessionWriter::stats() const {
  MutexLock lock(mu_);
  return stats_locked(SteadyClock::now());
}

std::optional<SessionId> SessionWriter::session_id(Key session) const {
  MutexLock lock(mu_);
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return std::nullopt;
  return it->second;
}

SessionWriter::Key SessionWriter::open_session(store::ConferenceSession session) {
  Key key;
  {
    MutexLock lock(mu_);
    key = next_key_++;
  }
  push("session open", [this, key, session = std::move(session)](store::Store& store) -> Status {
    auto s = store.open_session(session);
    if (!s) return Error{s.error().code, "conf=" + session.number + ": " + s.error().message, {}};
    MutexLock lock(mu_);
    sessions_[key] = s->id;
    return {};
  });
  return key;
}

// A write whose session or connection was never recorded (given up before): it cannot be written either.
static Error missing(const std::string& what) { return Error::precondition(what + " was not recorded"); }

void SessionWriter::close_session(Key session, TimePoint closed_at, std::string reason) {
  push("session close", [this, session, closed_at, reason = std::move(reason)](store::Store& store) -> Status {
    auto id = session_id(session);
    if (!id) return missing("its session");
    if (auto st = store.close_session(*id, closed_at, reason); !st) return st;
    MutexLock lock(mu_);
    sessions_.erase(session);  // nothing refers to a closed session any more
    return {};
  });
}

void SessionWriter::set_recording_path(Key session, std::string path) {
  push("recording path", [this, session, path = std::move(path)](store::Store& store) -> Status {
    auto id = session_id(session);
    if (!id) return missing("its session");
    return store.set_recording_path(*id, path);
  });
}

SessionWriter::Key SessionWriter::start_connection(Key session, store::ParticipantConnection connection) {
  Key key;
  {
    MutexLock lock(mu_);
    key = next_key_++;
  }
  push("connection start", [this, key, session, connection = std::move(connection)](store::Store& store) mutable
       -> Status {
    auto id = session_id(session);
    if (!id) return missing("call=" + connection.call_ref + ": its session");
    connection.session = *id;
    auto stored = store.start_connection(connection);
    if (!stored) return Error{stored.error().code, "call=" + connection.call_ref + ": " + stored.error().message, {}};
    MutexLock lock(mu_);
    connections_[key] = stored->id;
    return {};
  });
  return key;
}

void SessionWriter::end_connection(Key connection, TimePoint left_at, std::string reason, double loss_fraction,
                                   double jitter_ms, double rtt_ms) {
  push("connection end", [this, connection, left_at, reason = std::move(reason), loss_fraction, jitter_ms,
                          rtt_ms](store::Store& store) -> Status {
    ConnectionId id;
    {
      MutexLock lock(mu_);
      auto it = connections_.find(connection);
      if (it == connections_.end()) return missing("its connection start");
      id = it->second;
    }
    if (auto st = store.end_connection(id, left_at, reason, loss_fraction, jitter_ms, rtt_ms); !st) return st;
    MutexLock lock(mu_);
    connections_.erase(connection);
    return {};
  });
}

void SessionWriter::append_audit(store::AuditEntry entry) {
  push("audit entry", [entry = std::move(entry)](store::Store& store) -> Status {
    if (auto st = store.append_audit(entry); !st)
      return Error{st.error().code, "audit " + entry.action + " " + entry.target + ": " + st.error().message, {}};
    return {};
  });
}

}  // namespace confpro::conference
