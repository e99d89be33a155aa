// An injectable source of random 64-bit values for number and PIN generation (STYLE.md #5).
// Thread safety: implementations are NOT thread-safe; a caller shared by threads (BookingService) locks.
#pragma once

#include <cstdint>
#include <random>

namespace confpro::domain {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual std::uint64_t next() = 0;
  // A value uniform in [0, bound), bound > 0 (rejection sampling, no modulo bias).
  std::uint64_t below(std::uint64_t bound);
};

// Cryptographically strong: std::random_device (the kernel's getrandom on Linux). For production.
class SystemRandom final : public RandomSource {
 public:
  std::uint64_t next() override;

 private:
  std::random_device device_;
};

// Deterministic from a seed; for tests.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() override { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace confpro::domain
