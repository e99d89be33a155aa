// Console login sessions and login throttling.
//
// SessionTable: a random 256-bit session id per login (never reused, so a login always gets a new id), a CSRF
// token per session, an idle timeout, a cap on the sessions of one user (logging in again past it ends that
// user's oldest session, so one account cannot fill the table and evict everyone else's). LoginThrottle: counts failed logins per key (account, address) in a
// sliding window and blocks the key for a while once the limit is reached.
// Thread safety: both classes may be called from any thread (each guards its state with its own mutex).
// Time is passed in by the caller (STYLE.md #5).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/time.h"

namespace confpro::web {

// Who is logged in. role is "admin" or "organizer".
struct Principal {
  std::string username;
  std::string display_name;
  std::string role;
  bool is_admin() const { return role == "admin"; }
};

struct Session {
  std::string id;          // the cookie value
  std::string csrf_token;  // must come back in X-CSRF-Token on state-changing requests
  Principal principal;
  TimePoint created_at{};
  TimePoint last_seen{};
};

// A random token: `bytes` random bytes from libsodium, hex-encoded.
std::string random_token(std::size_t bytes = 32);

// Compares two strings in time independent of where they differ.
bool constant_time_equal(const std::string& a, const std::string& b);

class SessionTable {
 public:
  explicit SessionTable(Millis idle_timeout, std::size_t max_per_user = 10, std::size_t max_sessions = 10000)
      : idle_timeout_(idle_timeout), max_per_user_(max_per_user), max_sessions_(max_sessions) {}

  // Creates a session with fresh random id and CSRF token. When the user already has max_per_user sessions, the
  // one created first is dropped; when the table is full, the least recently used one.
  Session create(const Principal& principal, TimePoint now);
  // The live session with this id (its idle clock restarted), or nullopt when unknown or idle too long.
  std::optional<Session> touch(const std::string& id, TimePoint now);
  void remove(const std::string& id);
  // Whether session `id` is still live at `now`: present and not idle too long (an expired one is removed). Its
  // idle clock is not restarted.
  bool alive(const std::string& id, TimePoint now);
  // Removes every session of `username` (after a password change or account removal).
  void remove_user(const std::string& username);
  std::size_t size() const;

 private:
  // The session `id` while it has not been idle past the timeout (an expired one is removed); end() otherwise.
  // Call with mutex_ held.
  std::map<std::string, Session>::iterator find_unexpired(const std::string& id, TimePoint now);

  const Millis idle_timeout_;
  const std::size_t max_per_user_;
  const std::size_t max_sessions_;
  mutable std::mutex mutex_;
  std::map<std::string, Session> sessions_;  // GUARDED_BY(mutex_)
};

struct ThrottleOptions {
  int max_failures = 5;                         // failures allowed in the window before blocking [5]
  Millis window = std::chrono::minutes(15);     // sliding window for counting failures [15 min]
  Millis block_for = std::chrono::minutes(15);  // how long a key stays blocked [15 min]
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleOptions options) : options_(options) {}

  // Whether `key` may try now; when blocked, how long until it may.
  std::optional<Millis> blocked_for(const std::string& key, TimePoint now);
  void record_failure(const std::string& key, TimePoint now);
  void record_success(const std::string& key);

 private:
  struct Entry {
    std::deque<TimePoint> failures;
    TimePoint blocked_until{};
  };
  const ThrottleOptions options_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
};

}  // namespace confpro::web
