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

// One epoch's visiting order with each optimizer step's examples of similar length, so a
// padded batch wastes little compute on padding: `permutation` (an epoch_permutation) is cut
// into windows of `window_steps` steps, each window is sorted by length (longest first, ties
// in permutation order) and cut into steps of `step_size` examples, and the full steps of all
// windows are shuffled by derive_seed(seed, "epoch E length groups"). The epoch's short last
// step (when step_size does not divide the count) stays last. `lengths[i]` is example i's.
std::vector<std::size_t> length_grouped_order(const std::vector<std::size_t>& permutation,
                                              const std::vector<std::size_t>& lengths,
                                              std::size_t step_size, std::uint64_t seed,
                                              std::int64_t epoch, std::size_t window_steps);

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
