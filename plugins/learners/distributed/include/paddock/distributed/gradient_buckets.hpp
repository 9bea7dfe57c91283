// Summing gradients over the ranks in a few large buffers instead of one operation per
// parameter: gradients are copied into flat buckets of at most `bucket_bytes` (same dtype
// and device), each bucket is all-reduced once, and the sums are copied back.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "paddock/distributed/data_parallel_group.hpp"

namespace paddock::distributed {

// 25 MiB, torch's DistributedDataParallel default: large enough that the per-operation
// latency is amortised, small enough for the copies not to double memory use.
inline constexpr std::int64_t kDefaultBucketBytes = 25LL << 20;

// Sums the gradients of `parameters` over the group. A parameter without a gradient (a rank
// that had no examples in a step) counts as zeros and has a gradient afterwards. The sum,
// not the mean: learners weight each rank's loss by its share of the global batch, so the
// sum is the one-process gradient (see docs/distributed.md).
void sum_gradients(DataParallelGroup& group, const std::vector<torch::Tensor>& parameters,
                   std::int64_t bucket_bytes = kDefaultBucketBytes);

}  // namespace paddock::distributed
