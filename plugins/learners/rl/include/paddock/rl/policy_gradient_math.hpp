// The tensor arithmetic of the RL learners (PPO, RLOO, GRPO), free of models and data so
// each formula is tested on hand-computed examples. Shapes: [B, T] over response positions;
// `mask` [B, T] is 1.0 on positions that count and 0.0 elsewhere.
#pragma once

#include <torch/types.h>

#include <string>

namespace paddock::rl {

// How the per-token KL between policy and reference is estimated from log-probabilities
// (r = p_ref / p_policy): k1 = log p - log p_ref; k2 = (log p - log p_ref)^2 / 2;
// k3 = (r - 1) - log r. k1 is AlpacaFarm's (clamped at zero in the penalty); k2 and k3 are
// never negative.
enum class KlEstimator { k1, k2, k3 };
torch::Tensor kl_per_token(const torch::Tensor& logprobs, const torch::Tensor& reference_logprobs,
                           KlEstimator estimator);

// Mean over the masked positions (mask all ones = a plain mean).
torch::Tensor masked_mean(const torch::Tensor& values, const torch::Tensor& mask);
// Variance over the masked positions (unbiased, as AlpacaFarm's whitening used).
torch::Tensor masked_variance(const torch::Tensor& values, const torch::Tensor& mask);
// (values - mean) / sqrt(var + 1e-8), mean added back when `shift_mean` is false.
torch::Tensor whiten(const torch::Tensor& values, const torch::Tensor& mask, bool shift_mean);

// The per-token penalty of an estimate: k1 clamped at zero (AlpacaFarm's), k2 and k3 as is.
torch::Tensor kl_penalty(const torch::Tensor& kl, KlEstimator estimator);

// Per-token rewards: -kl_coefficient * penalty, plus `scores` [B] at each row's last
// response position (`last_index` [B], long).
torch::Tensor shaped_rewards(const torch::Tensor& penalty, const torch::Tensor& scores,
                             const torch::Tensor& last_index, double kl_coefficient);

struct Advantages {
  torch::Tensor advantages;  // [B, T]
  torch::Tensor returns;     // advantages + values, the value targets
};
// Generalised advantage estimation, backwards over T, zero beyond the end: with
// delta_t = r_t + gamma * V_{t+1} - V_t, A_t = delta_t + gamma * lambda * A_{t+1}.
Advantages generalized_advantages(const torch::Tensor& rewards, const torch::Tensor& values,
                                  double gamma, double lambda);

struct PolicyLoss {
  torch::Tensor loss;            // scalar
  torch::Tensor clip_fraction;   // share of positions where the clip was active
  torch::Tensor approximate_kl;  // mean of (log ratio)^2 / 2
};
// PPO's clipped surrogate: mean over mask of max(-A * ratio, -A * clamp(ratio, 1-e, 1+e)).
PolicyLoss clipped_policy_loss(const torch::Tensor& logprobs, const torch::Tensor& old_logprobs,
                               const torch::Tensor& advantages, const torch::Tensor& mask,
                               double clip_range);

// PPO's clipped value loss: mean over mask of max((V - R)^2, (clip(V, V_old +- c) - R)^2) / 2.
torch::Tensor clipped_value_loss(const torch::Tensor& values, const torch::Tensor& old_values,
                                 const torch::Tensor& returns, const torch::Tensor& mask,
                                 double clip_range);

// Group-relative advantages of rewards [P, k] (k samples of each of P prompts), [P, k]:
// RLOO's leave-one-out (reward minus the mean of the other k - 1 samples; each group sums
// to zero) and GRPO's standardisation (reward minus the group mean, over its std + 1e-6).
torch::Tensor leave_one_out_advantages(const torch::Tensor& rewards);
torch::Tensor group_standardized_advantages(const torch::Tensor& rewards);

// 1 - Var(returns - values) / Var(returns) over the mask.
double explained_variance(const torch::Tensor& values, const torch::Tensor& returns,
                          const torch::Tensor& mask);

// The adaptive KL controller: beta *= 1 + clamp(kl / target - 1, -0.2, 0.2) * steps / horizon.
double adapt_kl_coefficient(double coefficient, double observed_kl, double target, double horizon,
                            double steps);

}  // namespace paddock::rl
