// sampling_lanes: the lane count.
#include "sampling_lanes.hpp"

namespace paddock::transformer::sampling {

std::size_t lane_count(std::int64_t batch_size, std::size_t prompts) {
  return batch_size >= static_cast<std::int64_t>(2 * kRowsPerLane) && prompts >= 2 ? 2 : 1;
}

}  // namespace paddock::transformer::sampling
