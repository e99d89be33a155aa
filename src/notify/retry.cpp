#include "notify/retry.h"

#include <algorithm>
#include <cmath>

namespace confpro::notify {

std::optional<TimePoint> next_attempt(const RetryPolicy& policy, int attempts, TimePoint now,
                                      TimePoint created_at, double jitter) {
  const double first = static_cast<double>(policy.first_delay.count());
  const double cap = static_cast<double>(policy.max_delay.count());
  const double doubled = first * std::pow(2.0, std::clamp(attempts - 1, 0, 40));
  const double delay = std::min(doubled, cap) * (0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0));
  const TimePoint at = now + Millis{static_cast<Millis::rep>(delay)};
  if (at > created_at + policy.deadline) return std::nullopt;
  return at;
}

bool RateLimiter::try_take(const std::string& destination, std::chrono::steady_clock::time_point now) {
  if (rate_ <= 0) return true;
  auto [it, added] = buckets_.try_emplace(destination, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!added) {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.at = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace confpro::notify
