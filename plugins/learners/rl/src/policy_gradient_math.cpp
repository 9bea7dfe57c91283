// Whitening, KL estimators, reward shaping, GAE and the clipped PPO losses.
#include "paddock/rl/policy_gradient_math.hpp"

#include <torch/torch.h>

#include <algorithm>

namespace paddock::rl {

torch::Tensor kl_per_token(const torch::Tensor& logprobs, const torch::Tensor& reference_logprobs,
                           KlEstimator estimator) {
  const auto log_ratio = logprobs - reference_logprobs;
  switch (estimator) {
    case KlEstimator::k1:
      return log_ratio;
    case KlEstimator::k2:
      return 0.5 * log_ratio.pow(2);
    case KlEstimator::k3:
      return torch::exp(-log_ratio) - 1 + log_ratio;
  }
  return log_ratio;
}

torch::Tensor masked_mean(const torch::Tensor& values, const torch::Tensor& mask) {
  return (values * mask).sum() / mask.sum().clamp_min(1.0);
}

torch::Tensor masked_variance(const torch::Tensor& values, const torch::Tensor& mask) {
  const auto mean = masked_mean(values, mask);
  const auto count = mask.sum();
  const auto squares = ((values - mean).pow(2) * mask).sum();
  return squares / (count - 1).clamp_min(1.0);
}

torch::Tensor whiten(const torch::Tensor& values, const torch::Tensor& mask, bool shift_mean) {
  const auto mean = masked_mean(values, mask);
  const auto whitened = (values - mean) * torch::rsqrt(masked_variance(values, mask) + 1e-8);
  return shift_mean ? whitened : whitened + mean;
}

torch::Tensor kl_penalty(const torch::Tensor& kl, KlEstimator estimator) {
  return estimator == KlEstimator::k1 ? kl.clamp_min(0.0) : kl;
}

torch::Tensor shaped_rewards(const torch::Tensor& penalty, const torch::Tensor& scores,
                             const torch::Tensor& last_index, double kl_coefficient) {
  auto rewards = -kl_coefficient * penalty;
  return rewards.scatter_add(1, last_index.view({-1, 1}), scores.view({-1, 1}).to(rewards.dtype()));
}

Advantages generalized_advantages(const torch::Tensor& rewards, const torch::Tensor& values,
                                  double gamma, double lambda) {
  const std::int64_t steps = rewards.size(1);
  std::vector<torch::Tensor> reversed;
  auto next_advantage = torch::zeros_like(rewards.select(1, 0));
  auto next_value = torch::zeros_like(next_advantage);
  for (std::int64_t t = steps - 1; t >= 0; --t) {
    const auto delta = rewards.select(1, t) + gamma * next_value - values.select(1, t);
    next_advantage = delta + gamma * lambda * next_advantage;
    next_value = values.select(1, t);
    reversed.push_back(next_advantage);
  }
  std::reverse(reversed.begin(), reversed.end());
  auto advantages = torch::stack(reversed, 1);
  return {advantages, advantages + values};
}

PolicyLoss clipped_policy_loss(const torch::Tensor& logprobs, const torch::Tensor& old_logprobs,
                               const torch::Tensor& advantages, const torch::Tensor& mask,
                               double clip_range) {
  const auto log_ratio = logprobs - old_logprobs;
  const auto ratio = torch::exp(log_ratio);
  const auto unclipped = -advantages * ratio;
  const auto clipped = -advantages * torch::clamp(ratio, 1.0 - clip_range, 1.0 + clip_range);
  PolicyLoss result;
  result.loss = masked_mean(torch::max(unclipped, clipped), mask);
  result.clip_fraction = masked_mean((clipped > unclipped).to(logprobs.dtype()), mask).detach();
  result.approximate_kl = masked_mean(0.5 * log_ratio.pow(2), mask).detach();
  return result;
}

torch::Tensor clipped_value_loss(const torch::Tensor& values, const torch::Tensor& old_values,
                                 const torch::Tensor& returns, const torch::Tensor& mask,
                                 double clip_range) {
  const auto clipped = old_values + torch::clamp(values - old_values, -clip_range, clip_range);
  const auto loss = torch::max((values - returns).pow(2), (clipped - returns).pow(2));
  return 0.5 * masked_mean(loss, mask);
}

torch::Tensor leave_one_out_advantages(const torch::Tensor& rewards) {
  const double others = static_cast<double>(rewards.size(1) - 1);
  return rewards - (rewards.sum(1, /*keepdim=*/true) - rewards) / others;
}

torch::Tensor group_standardized_advantages(const torch::Tensor& rewards) {
  return (rewards - rewards.mean(1, /*keepdim=*/true)) /
         (rewards.std(1, /*unbiased=*/true, /*keepdim=*/true) + 1e-6);
}

double explained_variance(const torch::Tensor& values, const torch::Tensor& returns,
                          const torch::Tensor& mask) {
  const double variance = masked_variance(returns, mask).item<double>();
  if (variance <= 0) return 0.0;
  return 1.0 - masked_variance(returns - values, mask).item<double>() / variance;
}

double adapt_kl_coefficient(double coefficient, double observed_kl, double target, double horizon,
                            double steps) {
  const double error = std::clamp(observed_kl / target - 1.0, -0.2, 0.2);
  return coefficient * (1.0 + error * steps / horizon);
}

}  // namespace paddock::rl
