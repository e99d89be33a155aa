#include "conference/session_writer.h"

namespace confpro::conference {

SessionWriter::SessionWriter(store::Store& store, std::shared_ptr<spdlog::logger> log, std::size_t capacity)
    : store_(store), log_(std::move(log)), capacity_(capacity == 0 ? 1 : capacity) {
  thread_ = std::thread([this] { run(); });
}

SessionWriter::~SessionWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SessionWriter::push(Write write) {
  std::unique_lock lock(mu_);
  if (queue_.size() >= capacity_) {
    log_->warn("history writer: {} writes queued, the control loop waits for the database", queue_.size());
    cv_.wait(lock, [this] { return queue_.size() < capacity_; });
  }
  queue_.push_back(std::move(write));
  stats_.max_queued = std::max(stats_.max_queued, queue_.size());
  cv_.notify_all();
}

void SessionWriter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    Write write = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const bool ok = write(store_);
    lock.lock();
    busy_ = false;
    ++(ok ? stats_.written : stats_.failed);
    cv_.notify_all();
  }
}

void SessionWriter::drain() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

SessionWriter::Stats SessionWriter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::optional<SessionId> SessionWriter::session_id(Key session) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return std::nullopt;
  return it->second;
}

SessionWriter::Key SessionWriter::open_session(store::ConferenceSession session) {
  Key key;
  {
    std::lock_guard lock(mu_);
    key = next_key_++;
  }
  push([this, key, session = std::move(session)](store::Store& store) {
    auto s = store.open_session(session);
    if (!s) {
      log_->error("conf={} session not recorded: {}", session.number, s.error().message);
      return false;
    }
    std::lock_guard lock(mu_);
    sessions_[key] = s->id;
    return true;
  });
  return key;
}

void SessionWriter::close_session(Key session, TimePoint closed_at, std::string reason) {
  push([this, session, closed_at, reason = std::move(reason)](store::Store& store) {
    auto id = session_id(session);
    if (!id) return false;  // its opening was not recorded (logged then)
    {
      std::lock_guard lock(mu_);
      sessions_.erase(session);  // nothing refers to a closed session any more
    }
    if (auto st = store.close_session(*id, closed_at, reason); !st) {
      log_->error("session {} close not recorded: {}", id->value(), st.error().message);
      return false;
    }
    return true;
  });
}

void SessionWriter::set_recording_path(Key session, std::string path) {
  push([this, session, path = std::move(path)](store::Store& store) {
    auto id = session_id(session);
    if (!id) return false;
    if (auto st = store.set_recording_path(*id, path); !st) {
      log_->error("session {} recording path not recorded: {}", id->value(), st.error().message);
      return false;
    }
    return true;
  });
}

SessionWriter::Key SessionWriter::start_connection(Key session, store::ParticipantConnection connection) {
  Key key;
  {
    std::lock_guard lock(mu_);
    key = next_key_++;
  }
  push([this, key, session, connection = std::move(connection)](store::Store& store) mutable {
    auto id = session_id(session);
    if (!id) {
      log_->error("call={} connection not recorded: its session was not", connection.call_ref);
      return false;
    }
    connection.session = *id;
    auto stored = store.start_connection(connection);
    if (!stored) {
      log_->error("call={} connection not recorded: {}", connection.call_ref, stored.error().message);
      return false;
    }
    std::lock_guard lock(mu_);
    connections_[key] = stored->id;
    return true;
  });
  return key;
}

void SessionWriter::end_connection(Key connection, TimePoint left_at, std::string reason, double loss_fraction,
                                   double jitter_ms, double rtt_ms) {
  push([this, connection, left_at, reason = std::move(reason), loss_fraction, jitter_ms,
        rtt_ms](store::Store& store) {
    ConnectionId id;
    {
      std::lock_guard lock(mu_);
      auto it = connections_.find(connection);
      if (it == connections_.end()) return false;  // its start was not recorded (logged then)
      id = it->second;
      connections_.erase(it);
    }
    if (auto st = store.end_connection(id, left_at, reason, loss_fraction, jitter_ms, rtt_ms); !st) {
      log_->error("connection {} end not recorded: {}", id.value(), st.error().message);
      return false;
    }
    return true;
  });
}

void SessionWriter::append_audit(store::AuditEntry entry) {
  push([this, entry = std::move(entry)](store::Store& store) {
    if (auto st = store.append_audit(entry); !st) {
      log_->warn("audit {} {} not recorded: {}", entry.action, entry.target, st.error().message);
      return false;
    }
    return true;
  });
}

}  // namespace confpro::conference
