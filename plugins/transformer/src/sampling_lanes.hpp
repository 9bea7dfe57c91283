// Sampling lanes: a CPU sampler's rows split into independent batches decoded side by side,
// one thread each. At the sizes we sample on the CPU a decoding step is mostly ops too small
// to share between threads (docs/performance.md), so two single-threaded batches of half the
// rows get through more rows per second than one batch on two threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace paddock::transformer::sampling {

// How many lanes a CPU sampler with `batch_size` running rows and `prompts` prompts uses:
// 2 when each lane keeps at least kRowsPerLane rows and has a prompt of its own, else 1. It
// does not depend on the thread count, so neither do the samples.
constexpr std::size_t kRowsPerLane = 16;
std::size_t lane_count(std::int64_t batch_size, std::size_t prompts);

// Runs lane(0), ..., lane(count - 1) and returns when all have finished; rethrows the first
// lane's exception (by lane number). With two or more intra-op threads the lanes run on
// threads of their own, each with its share of the intra-op threads; otherwise one after
// another on this thread. A lane's results must not depend on which of the two it is.
void run_lanes(std::size_t count, const std::function<void(std::size_t lane)>& lane);

}  // namespace paddock::transformer::sampling
