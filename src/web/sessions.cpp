#include "web/sessions.h"

#include <sodium.h>

#include <vector>

namespace confpro::web {

std::string random_token(std::size_t bytes) {
  static const int init = sodium_init();  // idempotent; -1 only when the system has no randomness
  (void)init;
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Session SessionTable::create(const Principal& principal, TimePoint now) {
  Session s{random_token(), random_token(), principal, now, now};
  std::lock_guard lock(mutex_);
  for (;;) {  // the user's first sessions go while they have max_per_user_
    auto first = sessions_.end();
    std::size_t count = 0;
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.principal.username != principal.username) continue;
      ++count;
      if (first == sessions_.end() || it->second.created_at < first->second.created_at) first = it;
    }
    if (count < max_per_user_) break;
    sessions_.erase(first);
  }
  if (sessions_.size() >= max_sessions_) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.last_seen < oldest->second.last_seen) oldest = it;
    }
    sessions_.erase(oldest);
  }
  sessions_[s.id] = s;
  return s;
}

std::map<std::string, Session>::iterator SessionTable::find_unexpired(const std::string& id, TimePoint now) {
  auto it = sessions_.find(id);
  if (it != sessions_.end() && now - it->second.last_seen > idle_timeout_) {
    sessions_.erase(it);
    return sessions_.end();
  }
  return it;
}

std::optional<Session> SessionTable::touch(const std::string& id, TimePoint now) {
  if (id.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = find_unexpired(id, now);
  if (it == sessions_.end()) return std::nullopt;
  it->second.last_seen = now;
  return it->second;
}

bool SessionTable::alive(const std::string& id, TimePoint now) {
  std::lock_guard lock(mutex_);
  return find_unexpired(id, now) != sessions_.end();
}

void SessionTable::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

void SessionTable::remove_user(const std::string& username) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.principal.username == username; });
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::optional<Millis> LoginThrottle::blocked_for(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.blocked_until > now) return it->second.blocked_until - now;
  return std::nullopt;
}

void LoginThrottle::record_failure(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() > 100000) {
    // Bound memory under a spray of random names, keeping the blocks: clearing them all would let the spray
    // lift the block on the account it targets.
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.blocked_until <= now; });
    if (entries_.size() > 100000) entries_.clear();
  }
  auto& e = entries_[key];
  while (!e.failures.empty() && now - e.failures.front() > options_.window) e.failures.pop_front();
  e.failures.push_back(now);
  if (static_cast<int>(e.failures.size()) >= options_.max_failures) {
    e.blocked_until = now + options_.block_for;
    e.failures.clear();
  }
}

void LoginThrottle::record_success(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

}  // namespace confpro::web
