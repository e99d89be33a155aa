#include "conference/pin_guard.h"

#include <algorithm>

namespace confpro::conference {

PinGuard::PinGuard(int free_failures, std::chrono::seconds streak_window, std::chrono::seconds max_lockout,
                   std::chrono::seconds first_lockout)
    : free_failures_(std::max(free_failures, 1)),
      streak_window_(streak_window),
      max_lockout_(max_lockout),
      first_lockout_(std::min(first_lockout, max_lockout)) {}

bool PinGuard::ended(const Entry& e, TimePoint now) const {
  return now - std::max(e.last_failure, e.locked_until) >= streak_window_;
}

bool PinGuard::locked(const std::string& key, TimePoint now) const {
  auto it = entries_.find(key);
  return it != entries_.end() && now < it->second.locked_until;
}

int PinGuard::streak(const std::string& key, TimePoint now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || ended(it->second, now)) return 0;
  return it->second.streak;
}

std::chrono::seconds PinGuard::failure(const std::string& key, TimePoint now) {
  if (entries_.size() >= prune_at_) prune(now);
  Entry& e = entries_[key];
  if (e.streak > 0 && ended(e, now)) e = Entry{};
  ++e.streak;
  e.last_failure = now;
  if (e.streak < free_failures_) return std::chrono::seconds(0);
  // The free_failures-th wrong PIN locks for first_lockout; each one after it doubles that, up to max_lockout.
  const int doublings = std::min(e.streak - free_failures_, 30);
  auto lockout = first_lockout_;
  for (int i = 0; i < doublings && lockout < max_lockout_; ++i) lockout *= 2;
  lockout = std::min(lockout, max_lockout_);
  e.locked_until = std::max(e.locked_until, now + lockout);
  return lockout;
}

void PinGuard::success(const std::string& key) { entries_.erase(key); }

void PinGuard::prune(TimePoint now) {
  std::erase_if(entries_, [&](const auto& kv) { return ended(kv.second, now); });
  prune_at_ = std::max<std::size_t>(1024, entries_.size() * 2);
}

PinThrottle::PinThrottle(const PinThrottleOptions& options)
    : options_(options),
      sources_(options.caller_failures, options.window, options.lockout, options.first_lockout),
      conferences_(options.conference_failures, options.window, options.lockout, options.first_lockout) {}

std::string PinThrottle::source_key(const std::string& conference, const PinCaller& caller) const {
  const std::string number = identified(caller.number) ? caller.number : std::string("anonymous");
  if (caller.source_ip.empty()) return "number:" + number;  // no source known (not a SIP call)
  if (caller.trusted_peer)
    return "peer:" + caller.source_ip + "|conference:" + conference + "|number:" + number;
  return "source:" + caller.source_ip;
}

PinThrottle::Verdict PinThrottle::check(const std::string& conference, const PinCaller& caller, bool invited,
                                        TimePoint now) const {
  const std::string key = source_key(conference, caller);
  if (sources_.locked(key, now)) return Verdict::kCallerLockedOut;
  if (options_.conference_failures > 0 && conferences_.locked(conference, now)) {
    auto k = known_.find(conference);
    const bool known = identified(caller.number) &&
                       (invited || (k != known_.end() && k->second.count(caller.number) > 0));
    // A known number from a source that is itself guessing is not let through: that is what a guesser forging
    // the number of someone known would look like.
    if (!known || sources_.streak(key, now) > 1) return Verdict::kConferenceClosedToNewCallers;
  }
  return Verdict::kAllowed;
}

PinThrottle::Failure PinThrottle::failure(const std::string& conference, const PinCaller& caller, TimePoint now) {
  const auto source = sources_.failure(source_key(conference, caller), now);
  const auto whole = options_.conference_failures > 0 ? conferences_.failure(conference, now)
                                                      : std::chrono::seconds(0);
  if (source.count() > 0) return {Tripped::kCaller, source};
  if (whole.count() > 0) return {Tripped::kConference, whole};
  return {};
}

void PinThrottle::success(const std::string& conference, const PinCaller& caller) {
  sources_.success(source_key(conference, caller));
  if (identified(caller.number)) known_[conference].insert(caller.number);
}

void PinThrottle::forget(const std::string& conference) {
  known_.erase(conference);
  history_loaded_.erase(conference);
}

void PinThrottle::remember_history(const std::string& conference, const std::vector<std::string>& numbers) {
  auto& known = known_[conference];
  for (const auto& n : numbers)
    if (identified(n)) known.insert(n);
  history_loaded_.insert(conference);
}

}  // namespace confpro::conference
