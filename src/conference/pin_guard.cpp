#include "conference/pin_guard.h"

namespace confpro::conference {

bool PinGuard::locked(const std::string& key, TimePoint now) const {
  auto it = locked_until_.find(key);
  return it != locked_until_.end() && now < it->second;
}

bool PinGuard::failure(const std::string& key, TimePoint now) {
  auto& list = failures_[key];
  list.push_back(now);
  while (!list.empty() && list.front() <= now - window_) list.pop_front();
  if (static_cast<int>(list.size()) >= max_failures_) {
    locked_until_[key] = now + lockout_;
    list.clear();
    return true;
  }
  return false;
}

void PinGuard::success(const std::string& key) { failures_.erase(key); }

PinThrottle::PinThrottle(const PinThrottleOptions& options)
    : options_(options),
      callers_(options.caller_failures, options.window, options.lockout),
      conferences_(options.conference_failures, options.window, options.lockout) {}

PinThrottle::Verdict PinThrottle::check(const std::string& conference, const std::string& caller, bool invited,
                                        TimePoint now) const {
  const std::string who = identified(caller) ? caller : std::string("anonymous");
  if (callers_.locked(who, now)) return Verdict::kCallerLockedOut;
  if (options_.conference_failures > 0 && conferences_.locked(conference, now)) {
    const bool known = identified(caller) && (invited || (known_.count(conference) &&
                                                          known_.at(conference).count(caller)));
    if (!known) return Verdict::kConferenceClosedToNewCallers;
  }
  return Verdict::kAllowed;
}

PinThrottle::Tripped PinThrottle::failure(const std::string& conference, const std::string& caller, TimePoint now) {
  const std::string who = identified(caller) ? caller : std::string("anonymous");
  const bool caller_tripped = callers_.failure(who, now);
  const bool conference_tripped = options_.conference_failures > 0 && conferences_.failure(conference, now);
  if (caller_tripped) return Tripped::kCaller;
  return conference_tripped ? Tripped::kConference : Tripped::kNone;
}

void PinThrottle::success(const std::string& conference, const std::string& caller) {
  if (!identified(caller)) return;
  callers_.success(caller);
  known_[conference].insert(caller);
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
