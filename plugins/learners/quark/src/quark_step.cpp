// One Quark step's gradient: the micro-batch in one pass, or in shards weighted by their
// share of the response tokens and added in shard order.
#include "paddock/quark/quark_step.hpp"

#include <torch/torch.h>

#include <cmath>

#include "paddock/learning/gradient_shards.hpp"
#include "paddock/quark/quark_loss.hpp"

namespace paddock::quark {
namespace {

struct ShardPass {
  QuarkLoss loss;
  double tokens = 0.0;
  double positions = 0.0;
};

// The loss of `examples` as a mean over their own response tokens.
ShardPass shard_loss(const QuarkStepInputs& inputs, const std::vector<QuarkExample>& examples) {
  const QuarkBatch batch = make_quark_batch(examples, *inputs.prompt_ids, inputs.prefix_length,
                                            inputs.policy->pad_token_id(), inputs.policy->device());
  torch::Tensor reference_logits;
  {
    torch::NoGradGuard no_grad;
    reference_logits = response_logits(*inputs.reference, batch.reference)
                           .narrow(-1, 0, inputs.reference_vocabulary);
  }
  const auto policy_logits = response_logits(*inputs.policy, batch.policy);
  const auto targets =
      batch.policy.ids.narrow(1, batch.policy.prompt_width, batch.policy.response_width());
  ShardPass pass;
  pass.loss = quark_loss(policy_logits, reference_logits, targets, batch.policy.response_mask,
                         inputs.kl_coefficient, inputs.entropy_coefficient);
  pass.tokens = batch.policy.response_mask.sum().item<double>();
  pass.positions = batch.policy.attention_mask.sum().item<double>();
  return pass;
}

}  // namespace

QuarkStepFigures quark_step_gradients(const QuarkStepInputs& inputs,
                                      const std::vector<QuarkExample>& examples,
                                      const std::vector<torch::Tensor>& parameters,
                                      std::size_t shards) {
  QuarkStepFigures figures;
  if (shards <= 1) {
    const ShardPass pass = shard_loss(inputs, examples);
    figures.loss = pass.loss.loss.item<double>();
    figures.nll = pass.loss.nll.item<double>();
    figures.kl = pass.loss.kl.item<double>();
    figures.entropy = pass.loss.entropy.item<double>();
    figures.tokens = pass.tokens;
    figures.positions = pass.positions;
    if (std::isfinite(figures.loss)) pass.loss.loss.backward();
    return figures;
  }
  std::vector<ShardPass> passes(shards);
  const auto gradients = learning::shard_gradients(shards, parameters, [&](std::size_t k) {
    passes[k] = shard_loss(inputs, learning::shard_rows(examples, shards, k));
    return passes[k].loss.loss;
  });
  for (const ShardPass& pass : passes) {
    figures.tokens += pass.tokens;
    figures.positions += pass.positions;
  }
  // A shard without response tokens has a mean of 0 over none: it weighs nothing.
  std::vector<double> shares(shards, 0.0);
  for (std::size_t k = 0; k < shards; ++k) {
    if (figures.tokens > 0) shares[k] = passes[k].tokens / figures.tokens;
    figures.loss += shares[k] * gradients[k].loss;
    figures.nll += shares[k] * passes[k].loss.nll.item<double>();
    figures.kl += shares[k] * passes[k].loss.kl.item<double>();
    figures.entropy += shares[k] * passes[k].loss.entropy.item<double>();
  }
  if (!std::isfinite(figures.loss)) return figures;
  for (std::size_t k = 0; k < shards; ++k)
    learning::add_gradients(parameters, gradients[k].gradients, shares[k]);
  return figures;
}

}  // namespace paddock::quark
