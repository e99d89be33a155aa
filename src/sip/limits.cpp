#include "sip/limits.h"

#include <algorithm>

namespace confpro::sip {

bool SourceRateLimiter::admit(const std::string& source, SteadyTime now) {
  if (rate_ <= 0) return true;
  prune(now);
  auto [it, inserted] = buckets_.try_emplace(source, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
    b.last = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

// Forgets sources whose bucket is full again (idle long enough), at most once a second, so a spoofed-source
// flood cannot grow the table without bound.
void SourceRateLimiter::prune(SteadyTime now) {
  if (now - last_prune_ < std::chrono::seconds(1) && buckets_.size() < 100000) return;
  last_prune_ = now;
  const double refill_s = burst_ / rate_;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (std::chrono::duration<double>(now - it->second.last).count() >= refill_s) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

Status DialOutLimiter::acquire(const std::string& tag, SteadyTime now) {
  std::lock_guard lock(mu_);
  if (live_total_ >= limits_.max_concurrent_total) return Error::exhausted("too many dial-outs on this node");
  PerTag& t = tags_[tag];
  while (!t.started.empty() && now - t.started.front() >= std::chrono::hours(1)) t.started.pop_front();
  if (t.live >= limits_.max_concurrent_per_conference) {
    return Error::exhausted("too many concurrent dial-outs for this conference");
  }
  if (static_cast<int>(t.started.size()) >= limits_.max_per_hour_per_conference) {
    return Error::exhausted("hourly dial-out limit reached for this conference");
  }
  ++t.live;
  ++live_total_;
  t.started.push_back(now);
  return {};
}

void DialOutLimiter::release(const std::string& tag) {
  std::lock_guard lock(mu_);
  auto it = tags_.find(tag);
  if (it == tags_.end() || it->second.live == 0) return;
  --it->second.live;
  --live_total_;
}

int DialOutLimiter::live(const std::string& tag) const {
  std::lock_guard lock(mu_);
  auto it = tags_.find(tag);
  return it == tags_.end() ? 0 : it->second.live;
}

}  // namespace confpro::sip
