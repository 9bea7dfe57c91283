// Seeded per-epoch permutations.
#include "paddock/learning/data_order.hpp"

#include <numeric>
#include <random>
#include <string>

#include "paddock/random.hpp"
#include "paddock/seed.hpp"

namespace paddock::learning {

std::vector<std::size_t> epoch_permutation(std::uint64_t seed, std::int64_t epoch,
                                           std::size_t count) {
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 rng(derive_seed(seed, "epoch " + std::to_string(epoch)));
  shuffle(order, rng);
  return order;
}

}  // namespace paddock::learning
