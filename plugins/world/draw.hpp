// Small seeded draws used throughout the world, built only on paddock/random.hpp so a seed
// gives the same world on every platform and standard library.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "paddock/random.hpp"

namespace paddock::world {

// Uniform integer in [low, high], both inclusive.
inline int uniform_int(std::mt19937_64& rng, int low, int high) {
  return low + static_cast<int>(uniform_below(rng, static_cast<std::uint64_t>(high - low + 1)));
}

template <class T, std::size_t Extent>
const T& pick(std::mt19937_64& rng, std::span<const T, Extent> items) {
  return items[uniform_below(rng, items.size())];
}

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& items) {
  return items[uniform_below(rng, items.size())];
}

// Index drawn with probability proportional to its weight; weights need not sum to one.
inline std::size_t pick_weighted(std::mt19937_64& rng, std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  double target = uniform01(rng) * total;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (target < weights[i]) return i;
    target -= weights[i];
  }
  return weights.size() - 1;
}

// `count` distinct indices below `bound`, in draw order.
inline std::vector<std::size_t> distinct_indices(std::mt19937_64& rng, std::size_t bound,
                                                 std::size_t count) {
  std::vector<std::size_t> chosen;
  while (chosen.size() < count && chosen.size() < bound) {
    const std::size_t index = uniform_below(rng, bound);
    bool seen = false;
    for (std::size_t c : chosen) seen = seen || c == index;
    if (!seen) chosen.push_back(index);
  }
  return chosen;
}

}  // namespace paddock::world
