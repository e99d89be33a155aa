// PIN guessing throttle (FEATURES.md R, I2 abuse): failures counted per caller number and per conference in a
// sliding window; past the threshold the key is locked out for a while. Pure and clock-driven.
// Thread safety: the control loop only.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>

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

}  // namespace confpro::conference
