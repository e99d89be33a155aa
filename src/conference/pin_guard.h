// PIN guessing throttle (FEATURES.md R, I2 abuse; issue 11 item 4). PinGuard keeps, per key, a streak of wrong
// PINs: the first `free_failures` - 1 cost nothing, the next one locks the key out for `first_lockout`, and each
// further one doubles it up to `max_lockout` (a back-off, not a fixed ban). A right PIN ends the streak; so does
// `streak_window` without a wrong PIN after the last lockout ended.
//
// PinThrottle applies two of them to callers, keyed on what a caller cannot forge as well as on what it says:
// - per source: the caller's IP address (IncomingCall.remote_address). A caller number (From, or PAI) is never a
//   key on its own, so forging a participant's number locks nobody else out, and anonymous callers are not
//   pooled. A trusted peer (a trunk or proxy: one address, many callers, asserted numbers) is keyed per
//   conference and caller number behind it instead, so one guesser does not lock a whole trunk out.
// - per conference (all sources together, its own threshold, 0 = off): a conference under a guessing attack
//   from many sources is closed to *new* callers only — numbers that already entered it with a right PIN or are
//   on its invitee list still get in, as long as their own source is not failing (at most one wrong PIN in its
//   streak): a guesser forging a known number from a failing source does not. The numbers that entered it before
//   this server started come from the stored connection history (remember_history), loaded by the service the
//   first time the conference is closed.
// Pure and clock-driven. Thread safety: the control loop only.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.h"

namespace confpro::conference {

class PinGuard {
 public:
  PinGuard(int free_failures, std::chrono::seconds streak_window, std::chrono::seconds max_lockout,
           std::chrono::seconds first_lockout = std::chrono::seconds(30));

  bool locked(const std::string& key, TimePoint now) const;
  // Wrong PINs in the key's current streak (0 once it ended).
  int streak(const std::string& key, TimePoint now) const;
  // Records a failure; returns the lockout it starts (zero when none).
  std::chrono::seconds failure(const std::string& key, TimePoint now);
  void success(const std::string& key);
  std::size_t size() const { return entries_.size(); }  // keys remembered (bounded: ended streaks are pruned)

 private:
  struct Entry {
    int streak = 0;
    TimePoint last_failure{}, locked_until{};
  };
  bool ended(const Entry& e, TimePoint now) const;
  void prune(TimePoint now);

  int free_failures_;
  std::chrono::seconds streak_window_, max_lockout_, first_lockout_;
  std::unordered_map<std::string, Entry> entries_;
  std::size_t prune_at_ = 1024;
};

struct PinThrottleOptions {
  int caller_failures = 10;                   // wrong PINs in a row from one source before its first lockout [10]
  int conference_failures = 30;               // wrong PINs on one conference before it closes to new callers
                                              // [30]; 0 = off
  std::chrono::seconds window{1800};          // a streak ends this long after its last lockout [30 min]
  std::chrono::seconds lockout{3600};         // the longest lockout [1 h] ...
  std::chrono::seconds first_lockout{30};     // ... the first one [30 s], doubled by each further wrong PIN
};

// Who is calling, as far as the throttle is concerned.
struct PinCaller {
  std::string number;     // normalized caller number ("" or "anonymous": unknown); anyone can send any
  std::string source_ip;  // where the call came from (not forgeable over TCP, costly over UDP)
  bool trusted_peer = false;  // the source is a trunk or proxy of sip.trusted_peers carrying many callers (SIP
                              // decided it: sip::IncomingCall::trusted_peer)
};

class PinThrottle {
 public:
  enum class Verdict { kAllowed, kCallerLockedOut, kConferenceClosedToNewCallers };
  enum class Tripped { kNone, kCaller, kConference };
  struct Failure {
    Tripped tripped = Tripped::kNone;
    std::chrono::seconds lockout{0};  // how long the lockout it started lasts
  };

  explicit PinThrottle(const PinThrottleOptions& options);

  // Before checking a PIN. `invited`: the number is on the conference's invitee list.
  Verdict check(const std::string& conference, const PinCaller& caller, bool invited, TimePoint now) const;
  // A wrong PIN: counts for the caller's source and the conference; says which lockout (if any) it started.
  Failure failure(const std::string& conference, const PinCaller& caller, TimePoint now);
  // A right PIN: ends the source's streak; the number is now known to this conference.
  void success(const std::string& conference, const PinCaller& caller);
  // Forgets who was known to a conference (it ended).
  void forget(const std::string& conference);
  // Whether remember_history ran for `conference` (since it was last forgotten).
  bool history_loaded(const std::string& conference) const { return history_loaded_.count(conference) > 0; }
  // The numbers that entered `conference` in earlier runs (its stored connections) are known to it too.
  void remember_history(const std::string& conference, const std::vector<std::string>& numbers);

  // The key a caller's wrong PINs count under (for logs and tests).
  std::string source_key(const std::string& conference, const PinCaller& caller) const;

 private:
  static bool identified(const std::string& number) { return !number.empty() && number != "anonymous"; }
  PinThrottleOptions options_;
  PinGuard sources_;
  PinGuard conferences_;
  std::map<std::string, std::set<std::string>> known_;  // conference → numbers that entered it
  std::set<std::string> history_loaded_;                // conferences whose stored history is in known_
};

}  // namespace confpro::conference
