// Console login sessions and login throttling.
//
// SessionTable: a random 256-bit session id per login (never reused, so a login always gets a new id), a CSRF
// token per session, an idle timeout, a cap on the sessions of one user (logging in again past it ends that
// user's oldest session, so one account cannot fill the table and evict everyone else's). LoginThrottle: a
// growing back-off per (account, address), per address and per account (see the class). Thread safety: both
// classes may be called from any thread (each guards its state with its own mutex). Time is passed in by the
// caller (STYLE.md #5).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/thread_annotations.h"
#include "common/time.h"

namespace confpro::web {

// Who is logged in. role is "admin" or "organizer".
struct Principal {
  std::string username;
  std::string display_name;
  std::string role;
  std::vector<std::string> groups = {};  // directory group DNs at login (LDAP): the booking category (B7)
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
  std::map<std::string, Session>::iterator find_unexpired(const std::string& id, TimePoint now) REQUIRES(mutex_);

  const Millis idle_timeout_;
  const std::size_t max_per_user_;
  const std::size_t max_sessions_;
  mutable Mutex mutex_;
  std::map<std::string, Session> sessions_ GUARDED_BY(mutex_);
};

struct ThrottleOptions {
  int free_failures = 5;  // failures of one account from one address before back-off [5]
  Millis forget_after =
      std::chrono::minutes(15);  // failures are forgotten this long after the back-off ends [15 min]
  Millis first_delay = std::chrono::seconds(1);  // the first back-off; each further failure doubles it [1 s]
  Millis max_delay = std::chrono::minutes(15);   // the longest back-off [15 min]
};

// Login throttling the OWASP ASVS way (V2.2.1), keyed on what an attacker cannot take from the account's
// owner:
// - (account, address): past free_failures failures, that address waits first_delay before trying that
// account
//   again, doubling with each further failure up to max_delay;
// - address (any account): the same past 4 × free_failures failures (one address spraying many accounts);
// - account (any address): the same past 2 × free_failures failures (an account attacked from many
// addresses),
//   but only for addresses that have failed logins themselves: the owner at an address with none logs in at
//   once.
// No key is ever banned outright: each back-off ends, and failures are forgotten forget_after later.
class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleOptions options) : options_(options) {}

  // How long `address` must wait before trying `account` again; nullopt when it may try now.
  std::optional<Millis> wait(const std::string& account, const std::string& address, TimePoint now);
  void record_failure(const std::string& account, const std::string& address, TimePoint now);
  // The owner got in: the account's failures and this address's failures on it are forgotten (the address's
  // own count stays: one valid account must not launder guesses at others).
  void record_success(const std::string& account, const std::string& address);

 private:
  struct Counter {
    int failures = 0;
    TimePoint last{};
  };
  using Counters = std::map<std::string, Counter>;
  // The back-off after `failures` failures when the first `free` are free.
  Millis delay(int failures, int free) const;
  // The counter of `key` that is still remembered at `now`, or nullptr (a forgotten one is removed).
  const Counter* live(Counters& counters, const std::string& key, int free, TimePoint now);
  void add_failure(Counters& counters, const std::string& key, int free, TimePoint now);

  const ThrottleOptions options_;
  Mutex mutex_;
  Counters pairs_ GUARDED_BY(mutex_);  // key: account + '\n' + address
  Counters addresses_ GUARDED_BY(mutex_);
  Counters accounts_ GUARDED_BY(mutex_);
};

}  // namespace confpro::web
