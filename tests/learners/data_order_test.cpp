// The order examples and prompts are visited in: seeded per-epoch permutations.
#include <gtest/gtest.h>

#include <algorithm>
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

}  // namespace
}  // namespace paddock::learning
