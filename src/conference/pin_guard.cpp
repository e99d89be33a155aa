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

}  // namespace confpro::conference
