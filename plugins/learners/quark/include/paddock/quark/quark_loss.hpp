// Quark's objective on response tokens, free of models and data so the formula is tested on
// a hand-computed example. Shapes: [B, R] over response positions, [B, R, V] for logits;
// `mask` [B, R] is 1.0 on sampled tokens and 0.0 on padding.
#pragma once

#include <torch/types.h>

namespace paddock::quark {

struct QuarkLoss {
  torch::Tensor
      loss;  // differentiable scalar: nll + kl_coefficient * kl - entropy_coefficient * entropy
  torch::Tensor nll;      // mean over masked tokens of -log p_policy(token)
  torch::Tensor kl;       // mean over masked tokens of KL(policy || reference)
  torch::Tensor entropy;  // mean over masked tokens of the policy's entropy
};

// `policy_logits` may have more columns than `reference_logits` (the policy's added reward
// tokens): the NLL uses the policy's whole distribution, while the KL and the entropy compare
// distributions renormalised over the reference's vocabulary (its first V columns), as
// AlpacaFarm's Quark did. Reference logits carry no gradient.
QuarkLoss quark_loss(const torch::Tensor& policy_logits, const torch::Tensor& reference_logits,
                     const torch::Tensor& targets, const torch::Tensor& mask, double kl_coefficient,
                     double entropy_coefficient);

}  // namespace paddock::quark
