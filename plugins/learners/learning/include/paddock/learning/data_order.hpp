// The order training examples are visited in: one seeded permutation per epoch, a function
// of (seed, epoch) alone, so a resumed run visits exactly the rows an uninterrupted one would.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace paddock::learning {

// A Fisher-Yates permutation of [0, count) drawn from derive_seed(seed, "epoch N").
std::vector<std::size_t> epoch_permutation(std::uint64_t seed, std::int64_t epoch,
                                           std::size_t count);

// Fixed-size batches of indices into `count` items, read through epoch_permutation epoch
// after epoch: batch b starts where batch b-1 ended (crossing epochs as needed), so any batch
// can be taken first and a resumed run takes the same rows. The rollouts of the RL learners
// pick their prompts this way.
class EpochBatches {
 public:
  EpochBatches(std::uint64_t seed, std::size_t count, std::size_t batch_size);
  std::vector<std::size_t> batch(std::int64_t index);

 private:
  std::uint64_t seed_;
  std::size_t count_;
  std::size_t batch_size_;
  std::int64_t permutation_epoch_ = -1;  // the epoch `permutation_` belongs to
  std::vector<std::size_t> permutation_;
};

// Where training stands: the next example to visit is permutation(epoch)[index].
struct DataCursor {
  std::int64_t epoch = 0;
  std::size_t index = 0;
};

}  // namespace paddock::learning
