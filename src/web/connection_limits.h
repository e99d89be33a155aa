// Caps on open HTTP connections, in total and per remote address (issue 11: 20,000 idle connections used
// every descriptor of the process; SIP calls then failed for want of an RTP socket). The server adapter asks
// admit() for each accepted connection and closes it at once when refused, and reports each close. Thread
// safety: any thread (one mutex).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include "common/thread_annotations.h"

namespace confpro::web {

class ConnectionLimits {
 public:
  // 0 for either cap: no cap of that kind.
  ConnectionLimits(std::size_t max_total, std::size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // Whether a new connection from `address`, with peer `endpoint` ("address:port", unique among the open
  // ones), may stay open; when it may, it counts until closed(endpoint). An endpoint already counted (its
  // close was never reported) is counted once, not twice.
  bool admit(const std::string& address, const std::string& endpoint);
  // The connection with peer `endpoint` closed; unknown endpoints (refused ones) are ignored.
  void closed(const std::string& endpoint);

  static constexpr std::size_t kLightSource = 4;

  std::size_t open() const;
  std::size_t open_from(const std::string& address) const;

 private:
  void forget(std::map<std::string, std::string>::iterator it) REQUIRES(mutex_);

  const std::size_t max_total_;
  const std::size_t max_per_address_;
  mutable Mutex mutex_;
  std::map<std::string, std::string> open_ GUARDED_BY(mutex_);  // endpoint → address
  std::map<std::string, std::size_t> per_address_ GUARDED_BY(mutex_);
};

}  // namespace confpro::web
