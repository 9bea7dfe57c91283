// Seeded per-epoch permutations.
#include "paddock/learning/data_order.hpp"

#include <algorithm>
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

std::vector<std::size_t> length_grouped_order(const std::vector<std::size_t>& permutation,
                                              const std::vector<std::size_t>& lengths,
                                              std::size_t step_size, std::uint64_t seed,
                                              std::int64_t epoch, std::size_t window_steps) {
  if (step_size == 0 || window_steps == 0)
    throw std::invalid_argument("length_grouped_order: step_size and window_steps must be > 0");
  for (std::size_t example : permutation)
    if (example >= lengths.size())
      throw std::invalid_argument("length_grouped_order: example " + std::to_string(example) +
                                  " has no length (" + std::to_string(lengths.size()) +
                                  " lengths given)");
  std::vector<std::size_t> sorted = permutation;
  const std::size_t window = step_size * window_steps;
  for (std::size_t first = 0; first < sorted.size(); first += window) {
    const auto begin = sorted.begin() + static_cast<std::ptrdiff_t>(first);
    const auto end =
        sorted.begin() + static_cast<std::ptrdiff_t>(std::min(sorted.size(), first + window));
    std::stable_sort(begin, end,
                     [&](std::size_t a, std::size_t b) { return lengths[a] > lengths[b]; });
  }
  // Steps start at multiples of step_size within the epoch, so only the last can be short;
  // windows are whole steps, so no step straddles two of them.
  const std::size_t full_steps = sorted.size() / step_size;
  std::vector<std::size_t> steps(full_steps);
  std::iota(steps.begin(), steps.end(), std::size_t{0});
  std::mt19937_64 rng(derive_seed(seed, "epoch " + std::to_string(epoch) + " length groups"));
  shuffle(steps, rng);
  std::vector<std::size_t> order;
  order.reserve(sorted.size());
  for (std::size_t step : steps)
    order.insert(order.end(), sorted.begin() + static_cast<std::ptrdiff_t>(step * step_size),
                 sorted.begin() + static_cast<std::ptrdiff_t>((step + 1) * step_size));
  order.insert(order.end(), sorted.begin() + static_cast<std::ptrdiff_t>(full_steps * step_size),
               sorted.end());
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
