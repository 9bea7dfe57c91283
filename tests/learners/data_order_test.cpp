// The order examples and prompts are visited in: seeded per-epoch permutations.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <stdexcept>

#include "paddock/learning/data_order.hpp"

namespace paddock::learning {
namespace {

TEST(DataOrder, EpochPermutationIsAPermutationFixedBySeedAndEpoch) {
  const auto first = epoch_permutation(7, 0, 50);
  auto sorted = first;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_EQ(epoch_permutation(7, 0, 50), first);
  EXPECT_NE(epoch_permutation(7, 1, 50), first);
  EXPECT_NE(epoch_permutation(8, 0, 50), first);
}

TEST(DataOrder, EpochBatchesReadThePermutationsInOrderAcrossEpochs) {
  // 10 items in batches of 4: batch 2 takes the last two of epoch 0 and the first two of 1.
  EpochBatches batches(3, 10, 4);
  const auto epoch0 = epoch_permutation(3, 0, 10);
  const auto epoch1 = epoch_permutation(3, 1, 10);
  EXPECT_EQ(batches.batch(2),
            (std::vector<std::size_t>{epoch0[8], epoch0[9], epoch1[0], epoch1[1]}));
  // Any batch can come first; a fresh reader agrees with one that went in order.
  EpochBatches in_order(3, 10, 4);
  std::vector<std::size_t> batch;
  for (int index = 0; index <= 5; ++index) batch = in_order.batch(index);
  EXPECT_EQ(batch, EpochBatches(3, 10, 4).batch(5));
  EXPECT_EQ(batches.batch(0),
            (std::vector<std::size_t>{epoch0[0], epoch0[1], epoch0[2], epoch0[3]}));
}

TEST(DataOrder, EpochBatchesRefuseAnEmptySet) {
  EXPECT_THROW(EpochBatches(1, 0, 4), std::invalid_argument);
}

// Rows the padded batches of `order` (steps of `step` examples) hold, padding included.
std::size_t padded_rows(const std::vector<std::size_t>& order,
                        const std::vector<std::size_t>& lengths, std::size_t step) {
  std::size_t total = 0;
  for (std::size_t first = 0; first < order.size(); first += step) {
    std::size_t longest = 0, count = 0;
    for (std::size_t i = first; i < std::min(order.size(), first + step); ++i, ++count)
      longest = std::max(longest, lengths[order[i]]);
    total += longest * count;
  }
  return total;
}

TEST(DataOrder, LengthGroupedOrderPutsSimilarLengthsInEachStep) {
  // 1019 examples of lengths 10..400, steps of 8 (the last of 3), windows of 5 steps (40):
  // the last window holds 19, two full steps and the short one.
  std::mt19937_64 rng(5);
  std::vector<std::size_t> lengths(1019);
  for (auto& length : lengths) length = 10 + rng() % 391;
  const auto permutation = epoch_permutation(11, 2, lengths.size());
  const auto grouped = length_grouped_order(permutation, lengths, 8, 11, 2, 5);

  auto sorted = grouped;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i);  // a permutation
  EXPECT_EQ(length_grouped_order(permutation, lengths, 8, 11, 2, 5), grouped);
  EXPECT_NE(length_grouped_order(permutation, lengths, 8, 11, 3, 5), grouped);

  // Every full step comes from one window of the permutation, so the data mixes as before.
  std::vector<std::size_t> window_of(lengths.size());
  for (std::size_t i = 0; i < permutation.size(); ++i) window_of[permutation[i]] = i / 40;
  for (std::size_t first = 0; first + 8 <= 1016; first += 8) {
    std::set<std::size_t> windows;
    for (std::size_t i = first; i < first + 8; ++i) windows.insert(window_of[grouped[i]]);
    EXPECT_EQ(windows.size(), 1u) << "step at " << first;
  }
  // The short last step stays last: the 3 shortest of the last window.
  std::vector<std::size_t> last_window(permutation.begin() + 1000, permutation.end());
  std::sort(last_window.begin(), last_window.end(),
            [&](std::size_t a, std::size_t b) { return lengths[a] < lengths[b]; });
  const std::set<std::size_t> tail(grouped.begin() + 1016, grouped.end());
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(tail.count(last_window[i]), 1u);
  // The point of it: much less padding than the plain permutation's.
  EXPECT_LT(padded_rows(grouped, lengths, 8) * 10, padded_rows(permutation, lengths, 8) * 8);
  // The steps are shuffled, not longest first.
  EXPECT_FALSE(
      std::is_sorted(grouped.begin(), grouped.begin() + 1016,
                     [&](std::size_t a, std::size_t b) { return lengths[a] > lengths[b]; }));
}

TEST(DataOrder, LengthGroupedOrderRefusesMissingLengthsAndEmptySteps) {
  const std::vector<std::size_t> lengths = {3, 1, 2};
  EXPECT_THROW(length_grouped_order({0, 1, 2, 3}, lengths, 2, 1, 0, 4), std::invalid_argument);
  EXPECT_THROW(length_grouped_order({0, 1, 2}, lengths, 0, 1, 0, 4), std::invalid_argument);
  EXPECT_THROW(length_grouped_order({0, 1, 2}, lengths, 2, 1, 0, 0), std::invalid_argument);
}

}  // namespace
}  // namespace paddock::learning
