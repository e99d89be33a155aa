// PIN guessing throttle (FEATURES.md R, I2 abuse). PinGuard counts failures per key in a sliding window and,
// past the threshold, locks that key out for a while. PinThrottle applies two of them to callers:
// - per caller number: a caller who keeps guessing is locked out of every conference;
// - per conference (all callers together, its own threshold, 0 = off): a conference under a guessing attack
//   from many numbers is closed to *new* callers only — numbers that already entered it with a right PIN or
//   that are on its invitee list still get in — so an attacker cannot lock the real participants out of their
//   own conference. The numbers that entered it before this server started come from the stored connection
//   history (remember_history), loaded by the service the first time the conference is closed.
// Pure and clock-driven. Thread safety: the control loop only.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/time.h"

namespace confpro::conference {

class PinGuard {
 public:
  PinGuard(int max_failures, std::chrono::seconds window, std::chrono::seconds lockout)
      : max_failures_(max_failures), window_(window), lockout_(lockout) {}

  bool locked(const std::string& key, TimePoint now) const;
  // Records a failure; returns true when this failure locks the key out.
  bool failure(const std::string& key, TimePoint now);
  void success(const std::string& key);

 private:
  int max_failures_;
  std::chrono::seconds window_;
  std::chrono::seconds lockout_;
  std::map<std::string, std::deque<TimePoint>> failures_;
  std::map<std::string, TimePoint> locked_until_;
};

struct PinThrottleOptions {
  int caller_failures = 10;                   // wrong PINs per caller number within the window [10]
  int conference_failures = 30;               // wrong PINs per conference within the window [30]; 0 = off
  std::chrono::seconds window{1800};          // [30 min]
  std::chrono::seconds lockout{3600};         // how long a lockout lasts [1 h]
};

class PinThrottle {
 public:
  enum class Verdict { kAllowed, kCallerLockedOut, kConferenceClosedToNewCallers };
  enum class Tripped { kNone, kCaller, kConference };

  explicit PinThrottle(const PinThrottleOptions& options);

  // Before checking a PIN. `caller` is the normalized number ("" or "anonymous": unknown); `invited`: the
  // number is on the conference's invitee list.
  Verdict check(const std::string& conference, const std::string& caller, bool invited, TimePoint now) const;
  // A wrong PIN: counts for the caller and the conference; says which lockout (if any) it just started.
  Tripped failure(const std::string& conference, const std::string& caller, TimePoint now);
  // A right PIN: forgets the caller's failures; the number is now known to this conference.
  void success(const std::string& conference, const std::string& caller);
  // Forgets who was known to a conference (it ended).
  void forget(const std::string& conference);
  // Whether remember_history ran for `conference` (since it was last forgotten).
  bool history_loaded(const std::string& conference) const { return history_loaded_.count(conference) > 0; }
  // The numbers that entered `conference` in earlier runs (its stored connections) are known to it too.
  void remember_history(const std::string& conference, const std::vector<std::string>& numbers);

 private:
  static bool identified(const std::string& caller) { return !caller.empty() && caller != "anonymous"; }
  PinThrottleOptions options_;
  PinGuard callers_;
  PinGuard conferences_;
  std::map<std::string, std::set<std::string>> known_;  // conference → numbers that entered it
  std::set<std::string> history_loaded_;                // conferences whose stored history is in known_
};

}  // namespace confpro::conference
