// Sampling lanes: a CPU sampler's rows split into independent batches decoded side by side,
// one thread each (paddock/torch/side_by_side.hpp). At the sizes we sample on the CPU a decoding
// step is mostly ops too small to share between threads (docs/performance.md), so two
// single-threaded batches of half the rows get through more rows per second than one batch on two
// threads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace paddock::transformer::sampling {

// How many lanes a CPU sampler with `batch_size` running rows and `prompts` prompts uses:
// 2 when each lane keeps at least kRowsPerLane rows and has a prompt of its own, else 1. It
// does not depend on the thread count, so neither do the samples.
constexpr std::size_t kRowsPerLane = 16;
std::size_t lane_count(std::int64_t batch_size, std::size_t prompts);

}  // namespace paddock::transformer::sampling
