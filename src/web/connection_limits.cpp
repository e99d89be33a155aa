#include "web/connection_limits.h"

namespace confpro::web {

void ConnectionLimits::forget(std::map<std::string, std::string>::iterator it) {
  auto count = per_address_.find(it->second);
  if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
  open_.erase(it);
}

bool ConnectionLimits::admit(const std::string& address, const std::string& endpoint) {
  MutexLock lock(mutex_);
  if (auto stale = open_.find(endpoint); stale != open_.end()) forget(stale);
  if (max_total_ > 0 && open_.size() >= max_total_) return false;
  auto count = per_address_.find(address);
  const std::size_t held = count == per_address_.end() ? 0 : count->second;
  if (max_per_address_ > 0 && held >= max_per_address_) return false;
  if (max_total_ > 0 && open_.size() >= max_total_ - max_total_ / 10 && held >= kLightSource) return false;
  open_.emplace(endpoint, address);
  ++per_address_[address];
  return true;
}

void ConnectionLimits::closed(const std::string& endpoint) {
  MutexLock lock(mutex_);
  if (auto it = open_.find(endpoint); it != open_.end()) forget(it);
}

std::size_t ConnectionLimits::open() const {
  MutexLock lock(mutex_);
  return open_.size();
}

std::size_t ConnectionLimits::open_from(const std::string& address) const {
  MutexLock lock(mutex_);
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

}  // namespace confpro::web
