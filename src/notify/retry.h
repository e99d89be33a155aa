// When a failed message is tried again: exponential back-off with jitter, up to a deadline after which the
// row is given up ("failed", visible and re-sendable). And a simple per-destination rate limit. Thread
// safety: RetryPolicy is a value; RateLimiter is not thread-safe (one per worker).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "common/time.h"

namespace confpro::notify {

struct RetryPolicy {
  std::chrono::milliseconds first_delay{30'000};   // after the first failure [30 s]
  std::chrono::milliseconds max_delay{3'600'000};  // cap of the doubling [1 h]
  std::chrono::milliseconds deadline{
      std::chrono::hours{48}};  // from the row's creation, then "failed" [48 h]
};

// The next attempt after `attempts` failures (1 = the first), jittered in [d/2, d] of d =
// first·2^(attempts-1) capped at max_delay; `jitter` in [0, 1). nullopt when that falls after created_at +
// deadline: give up.
std::optional<TimePoint> next_attempt(const RetryPolicy& policy, int attempts, TimePoint now,
                                      TimePoint created_at, double jitter);

// A token bucket per destination (the mail server, or a recipient's domain): `per_second` messages a second
// with bursts of `burst`. per_second 0 = no limit.
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
  // Takes a token for `destination` if one is there at `now`.
  bool try_take(const std::string& destination, std::chrono::steady_clock::time_point now);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at{};
  };
  double rate_, burst_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace confpro::notify
