// Gradient shards: the split, the side-by-side passes and the ordered sum.
#include "paddock/learning/gradient_shards.hpp"

#include <torch/torch.h>

#include <cmath>

#include "paddock/torch/side_by_side.hpp"

namespace paddock::learning {

std::size_t gradient_shard_count(std::size_t rows) {
  return rows >= 2 * kRowsPerShard ? 2 : 1;
}

std::vector<ShardGradients> shard_gradients(
    std::size_t shards, const std::vector<torch::Tensor>& parameters,
    const std::function<torch::Tensor(std::size_t shard)>& loss_of) {
  // autograd::grad refuses a tensor that needs no gradient: differentiate the others only.
  std::vector<torch::Tensor> trainable;
  std::vector<std::size_t> trainable_index;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].requires_grad()) continue;
    trainable.push_back(parameters[i]);
    trainable_index.push_back(i);
  }
  std::vector<ShardGradients> results(shards);
  run_side_by_side(shards, [&](std::size_t k) {
    const torch::AutoGradMode with_gradients(true);  // a worker thread starts with the default
    const torch::Tensor loss = loss_of(k);
    ShardGradients& result = results[k];
    result.loss = loss.item<double>();
    result.gradients.resize(parameters.size());
    if (!std::isfinite(result.loss) || trainable.empty() || !loss.requires_grad()) return;
    const auto gradients = torch::autograd::grad({loss}, trainable, /*grad_outputs=*/{},
                                                 /*retain_graph=*/false, /*create_graph=*/false,
                                                 /*allow_unused=*/true);
    for (std::size_t j = 0; j < gradients.size(); ++j)
      result.gradients[trainable_index[j]] = gradients[j];
  });
  return results;
}

void add_gradients(const std::vector<torch::Tensor>& parameters,
                   const std::vector<torch::Tensor>& gradients, double weight) {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!gradients[i].defined()) continue;
    torch::Tensor& grad = parameters[i].mutable_grad();
    if (grad.defined()) {
      grad.add_(gradients[i], weight);
    } else {
      grad = gradients[i] * weight;
    }
  }
}

}  // namespace paddock::learning
