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

// Where training stands: the next example to visit is permutation(epoch)[index].
struct DataCursor {
  std::int64_t epoch = 0;
  std::size_t index = 0;
};

}  // namespace paddock::learning
