// Quark's objective: NLL + beta * KL(policy || reference) - alpha * entropy, per token.
#include "paddock/quark/quark_loss.hpp"

#include <torch/torch.h>

#include "paddock/error.hpp"

namespace paddock::quark {
namespace {

torch::Tensor masked_mean(const torch::Tensor& values, const torch::Tensor& mask) {
  return (values * mask).sum() / mask.sum().clamp_min(1.0);
}

}  // namespace

QuarkLoss quark_loss(const torch::Tensor& policy_logits, const torch::Tensor& reference_logits,
                     const torch::Tensor& targets, const torch::Tensor& mask, double kl_coefficient,
                     double entropy_coefficient) {
  const std::int64_t vocabulary = reference_logits.size(-1);
  if (policy_logits.size(-1) < vocabulary)
    throw Error("the policy's vocabulary is smaller than the reference's");
  const auto policy = policy_logits.to(torch::kFloat32);
  const auto log_policy = torch::log_softmax(policy, -1);
  const auto token_nll = -log_policy.gather(-1, targets.unsqueeze(-1)).squeeze(-1);

  const auto log_shared = torch::log_softmax(policy.narrow(-1, 0, vocabulary), -1);
  const auto log_reference = torch::log_softmax(reference_logits.to(torch::kFloat32).detach(), -1);
  const auto shared = log_shared.exp();
  const auto token_kl = (shared * (log_shared - log_reference)).sum(-1);
  const auto token_entropy = -(shared * log_shared).sum(-1);

  QuarkLoss result;
  result.nll = masked_mean(token_nll, mask);
  result.kl = masked_mean(token_kl, mask);
  result.entropy = masked_mean(token_entropy, mask);
  result.loss = result.nll + kl_coefficient * result.kl - entropy_coefficient * result.entropy;
  return result;
}

}  // namespace paddock::quark
