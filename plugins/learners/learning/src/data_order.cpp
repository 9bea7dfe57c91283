// Seeded per-epoch permutations.
#include "paddock/learning/data_order.hpp"

#include <numeric>
#include <random>
#include <stdexcept>
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

EpochBatches::EpochBatches(std::uint64_t seed, std::size_t count, std::size_t batch_size)
    : seed_(seed), count_(count), batch_size_(batch_size) {
  if (count == 0) throw std::invalid_argument("EpochBatches: no items to batch");
}

std::vector<std::size_t> EpochBatches::batch(std::int64_t index) {
  std::vector<std::size_t> chosen;
  chosen.reserve(batch_size_);
  auto position = static_cast<std::size_t>(index) * batch_size_;
  while (chosen.size() < batch_size_) {
    const auto epoch = static_cast<std::int64_t>(position / count_);
    if (epoch != permutation_epoch_) {
      permutation_ = epoch_permutation(seed_, epoch, count_);
      permutation_epoch_ = epoch;
    }
    chosen.push_back(permutation_[position % count_]);
    ++position;
  }
  return chosen;
}

}  // namespace paddock::learning
