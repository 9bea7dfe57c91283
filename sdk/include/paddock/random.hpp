// Portable draws from std::mt19937_64. The standard's distributions differ between library
// implementations; these are defined here once so a seed gives the same run everywhere.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

namespace paddock {

// Uniform in [0, 1) with 53 random bits.
inline double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Uniform integer in [0, bound), bound > 0, without modulo bias (rejection sampling).
inline std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t limit = (~std::uint64_t{0}) - (~std::uint64_t{0}) % bound;
  std::uint64_t draw = rng();
  while (draw >= limit) draw = rng();
  return draw % bound;
}

inline bool bernoulli(std::mt19937_64& rng, double probability) {
  return uniform01(rng) < probability;
}

// Standard normal by the Box-Muller transform (one draw per call). It goes through libm's
// log and cos, so unlike the uniform draws it may differ in the last bit between C libraries.
inline double standard_normal(std::mt19937_64& rng) {
  double u1 = uniform01(rng);
  while (u1 <= 0.0) u1 = uniform01(rng);
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Fisher-Yates shuffle with uniform_below.
template <class T>
void shuffle(std::vector<T>& items, std::mt19937_64& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    std::swap(items[i - 1], items[uniform_below(rng, i)]);
  }
}

}  // namespace paddock
