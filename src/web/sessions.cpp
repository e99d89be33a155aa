#include "web/sessions.h"

#include <sodium.h>

#include <algorithm>
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
  MutexLock lock(mutex_);
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
  MutexLock lock(mutex_);
  auto it = find_unexpired(id, now);
  if (it == sessions_.end()) return std::nullopt;
  it->second.last_seen = now;
  return it->second;
}

bool SessionTable::alive(const std::string& id, TimePoint now) {
  MutexLock lock(mutex_);
  return find_unexpired(id, now) != sessions_.end();
}

void SessionTable::remove(const std::string& id) {
  MutexLock lock(mutex_);
  sessions_.erase(id);
}

void SessionTable::remove_user(const std::string& username) {
  MutexLock lock(mutex_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.principal.username == username; });
}

std::size_t SessionTable::size() const {
  MutexLock lock(mutex_);
  return sessions_.size();
}

namespace {

constexpr std::size_t kMaxThrottleKeys = 100000;

std::string pair_key(const std::string& account, const std::string& address) {
  return account + "\n" + address;
}

}  // namespace

Millis LoginThrottle::delay(int failures, int free) const {
  if (failures < free) return Millis{0};
  const int doublings = std::min(failures - free, 30);
  return std::min<Millis>(options_.first_delay * (std::int64_t{1} << doublings), options_.max_delay);
}

const LoginThrottle::Counter* LoginThrottle::live(Counters& counters, const std::string& key, int free,
                                                  TimePoint now) {
  auto it = counters.find(key);
  if (it == counters.end()) return nullptr;
  if (now >= it->second.last + delay(it->second.failures, free) + options_.forget_after) {
    counters.erase(it);
    return nullptr;
  }
  return &it->second;
}

void LoginThrottle::add_failure(Counters& counters, const std::string& key, int free, TimePoint now) {
  if (counters.size() >= kMaxThrottleKeys && !counters.contains(key)) {
    // Bound memory under a spray of random names or addresses, keeping the keys still backing off: dropping
    // them would let the spray lift the back-off on what it targets.
    std::erase_if(counters,
                  [&](const auto& kv) { return now >= kv.second.last + delay(kv.second.failures, free); });
    if (counters.size() >= kMaxThrottleKeys) return;
  }
  (void)live(counters, key, free, now);  // a forgotten count starts again from zero
  Counter& c = counters[key];
  c.failures = std::min(c.failures + 1, 1000);
  c.last = now;
}

std::optional<Millis> LoginThrottle::wait(const std::string& account, const std::string& address,
                                          TimePoint now) {
  MutexLock lock(mutex_);
  const int free = options_.free_failures;
  Millis longest{0};
  auto consider = [&](const Counter* c, int f) {
    if (c) longest = std::max(longest, c->last + delay(c->failures, f) - now);
  };
  consider(live(pairs_, pair_key(account, address), free, now), free);
  const Counter* from_address = live(addresses_, address, 4 * free, now);
  consider(from_address, 4 * free);
  if (from_address) consider(live(accounts_, account, 2 * free, now), 2 * free);
  if (longest <= Millis{0}) return std::nullopt;
  return longest;
}

void LoginThrottle::record_failure(const std::string& account, const std::string& address, TimePoint now) {
  MutexLock lock(mutex_);
  const int free = options_.free_failures;
  add_failure(pairs_, pair_key(account, address), free, now);
  add_failure(addresses_, address, 4 * free, now);
  add_failure(accounts_, account, 2 * free, now);
}

void LoginThrottle::record_success(const std::string& account, const std::string& address) {
  MutexLock lock(mutex_);
  pairs_.erase(pair_key(account, address));
  accounts_.erase(account);
}

}  // namespace confpro::web
