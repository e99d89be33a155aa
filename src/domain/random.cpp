#include "domain/random.h"

#include <cassert>
#include <limits>

namespace confpro::domain {

std::uint64_t RandomSource::below(std::uint64_t bound) {
  assert(bound > 0);
  // Reject the top partial block so every residue is equally likely.
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  for (;;) {
    std::uint64_t v = next();
    if (v < limit) return v % bound;
  }
}

std::uint64_t SystemRandom::next() {
  static_assert(sizeof(std::random_device::result_type) == 4);
  return (static_cast<std::uint64_t>(device_()) << 32) | device_();
}

}  // namespace confpro::domain
