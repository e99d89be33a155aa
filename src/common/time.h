// Time: wall-clock instants in UTC with millisecond precision, and an injectable Clock (STYLE.md #5).
// Stored as epoch milliseconds; shown in the configured zone (see common/timezone.h).
// Thread safety: SystemClock is safe from any thread; ManualClock is for single-threaded tests.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace confpro {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<Millis>;  // UTC

inline std::int64_t to_epoch_ms(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint from_epoch_ms(std::int64_t ms) { return TimePoint{Millis{ms}}; }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  }
};

// A clock that moves only when told; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(to_epoch_ms(start)) {}
  TimePoint now() const override { return from_epoch_ms(now_.load()); }
  void set(TimePoint t) { now_ = to_epoch_ms(t); }
  void advance(Millis d) { now_ += d.count(); }

 private:
  std::atomic<std::int64_t> now_;
};

// A clock that runs `scale` times faster than real time from a start instant, so tests and demos can live
// through a 10-minute conference in seconds (setting `server.time_scale`).
class ScaledClock final : public Clock {
 public:
  ScaledClock(const Clock& base, double scale) : base_(base), start_(base.now()), scale_(scale) {}
  TimePoint now() const override {
    auto real = base_.now() - start_;
    return start_ + Millis{static_cast<std::int64_t>(static_cast<double>(real.count()) * scale_)};
  }
  double scale() const { return scale_; }

 private:
  const Clock& base_;
  TimePoint start_;
  double scale_;
};

}  // namespace confpro
