// Admission limits at the SIP edge: the per-source INVITE rate (token buckets) and the per-conference dial-out
// limits. Time is passed in (STYLE.md #5), so tests drive it by hand.
// Thread safety: SourceRateLimiter is used on the SIP thread only (no lock). DialOutLimiter is shared between
// dial() callers and the SIP thread; its state is guarded by its mutex.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/result.h"
#include "sip/sip_endpoint.h"

namespace confpro::sip {

using SteadyTime = std::chrono::steady_clock::time_point;

class SourceRateLimiter {
 public:
  // rate_per_s <= 0 disables the limit.
  SourceRateLimiter(double rate_per_s, double burst) : rate_(rate_per_s), burst_(burst < 1 ? 1 : burst) {}
  // Takes one token for `source`; false when its bucket is empty.
  bool admit(const std::string& source, SteadyTime now);
  std::size_t tracked_sources() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    SteadyTime last;
  };
  void prune(SteadyTime now);
  double rate_, burst_;
  std::unordered_map<std::string, Bucket> buckets_;
  SteadyTime last_prune_{};
};

class DialOutLimiter {
 public:
  explicit DialOutLimiter(DialOutLimits limits) : limits_(limits) {}
  // Reserves one live dial-out for `tag`; kResourceExhausted names the limit reached.
  Status acquire(const std::string& tag, SteadyTime now);
  // Releases a reservation made by acquire (the call ended or never started).
  void release(const std::string& tag);
  int live(const std::string& tag) const;

 private:
  struct PerTag {
    int live = 0;
    std::deque<SteadyTime> started;  // within the last hour
  };
  DialOutLimits limits_;
  mutable std::mutex mu_;
  std::map<std::string, PerTag> tags_;  // GUARDED_BY(mu_)
  int live_total_ = 0;                  // GUARDED_BY(mu_)
};

}  // namespace confpro::sip
