// A micro-batch's gradients computed in shards side by side on the CPU: at the sizes the CPU
// pipelines train, two single-threaded forward and backward passes over half the rows each
// get through more rows per second than one pass on two threads (docs/performance.md,
// "Gradient shards"). The shard count depends only on the rows, never on the threads, so
// the weights a run ends with do not depend on whether the shards ran side by side.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include <torch/types.h>

namespace paddock::learning {

// How many shards a CPU micro-batch of `rows` rows is split into: 2 when each keeps at least
// kRowsPerShard rows, else 1.
constexpr std::size_t kRowsPerShard = 4;
std::size_t gradient_shard_count(std::size_t rows);

// Shard k of `rows` split into `shards`: rows k, k + shards, k + 2 * shards, ...
template <class Row>
std::vector<Row> shard_rows(const std::vector<Row>& rows, std::size_t shards, std::size_t k) {
  std::vector<Row> mine;
  for (std::size_t i = k; i < rows.size(); i += shards) mine.push_back(rows[i]);
  return mine;
}

struct ShardGradients {
  double loss = 0.0;  // the shard's loss as a number
  // d loss / d parameters[i]; undefined for a parameter the loss does not reach, and all
  // undefined when the loss is not finite.
  std::vector<torch::Tensor> gradients;
};

// For k = 0 .. shards - 1, side by side (run_side_by_side): loss_of(k), a scalar loss, and
// its gradients with respect to `parameters`. Nothing accumulates into the parameters' .grad
// (torch::autograd::grad): the caller adds the shards' gradients in shard order, which keeps
// the sum deterministic.
std::vector<ShardGradients> shard_gradients(
    std::size_t shards, const std::vector<torch::Tensor>& parameters,
    const std::function<torch::Tensor(std::size_t shard)>& loss_of);

// parameters[i].grad += weight * gradients[i], for each defined gradient.
void add_gradients(const std::vector<torch::Tensor>& parameters,
                   const std::vector<torch::Tensor>& gradients, double weight);

}  // namespace paddock::learning
