// Quark's loss against the formula computed by hand: NLL over the policy's whole vocabulary,
// KL(policy || reference) and entropy over the reference's, masked means over response tokens.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "paddock/quark/quark_loss.hpp"

namespace paddock::quark {
namespace {

std::vector<double> softmax(const std::vector<double>& logits) {
  double total = 0;
  for (double value : logits) total += std::exp(value);
  std::vector<double> result;
  for (double value : logits) result.push_back(std::exp(value) / total);
  return result;
}

struct Terms {
  double nll, kl, entropy;
};

// One token: the policy's logits over V + 1 columns (the last one a reward token), the
// reference's over V.
Terms by_hand(const std::vector<double>& policy, const std::vector<double>& reference,
              std::size_t target) {
  Terms terms{};
  terms.nll = -std::log(softmax(policy)[target]);
  const auto p = softmax(std::vector<double>(policy.begin(), policy.begin() + reference.size()));
  const auto q = softmax(reference);
  terms.kl = 0;
  terms.entropy = 0;
  for (std::size_t v = 0; v < q.size(); ++v) {
    terms.kl += p[v] * (std::log(p[v]) - std::log(q[v]));
    terms.entropy -= p[v] * std::log(p[v]);
  }
  return terms;
}

TEST(QuarkLoss, MatchesTheFormulaOnAHandComputedExample) {
  // Two rows of two response positions; row 1's second position is padding.
  const std::vector<std::vector<double>> policy = {
      {1.0, -0.5, 0.25, 2.0}, {0.0, 0.3, -1.2, -0.7}, {2.0, 1.0, 0.0, 0.5}, {9.0, 9.0, 9.0, 9.0}};
  const std::vector<std::vector<double>> reference = {
      {0.2, 0.1, -0.3}, {1.0, -1.0, 0.0}, {0.5, 0.5, 0.5}, {0.0, 0.0, 0.0}};
  const std::vector<std::int64_t> targets = {2, 1, 0, 3};
  std::vector<float> policy_flat, reference_flat;
  for (const auto& row : policy) policy_flat.insert(policy_flat.end(), row.begin(), row.end());
  for (const auto& row : reference)
    reference_flat.insert(reference_flat.end(), row.begin(), row.end());
  const auto policy_logits = torch::tensor(policy_flat).view({2, 2, 4}).set_requires_grad(true);
  const auto reference_logits = torch::tensor(reference_flat).view({2, 2, 3});
  const auto target_ids = torch::tensor(targets, torch::kLong).view({2, 2});
  const auto mask = torch::tensor(std::vector<float>{1, 1, 1, 0}).view({2, 2});

  const double beta = 0.05, alpha = 0.3;
  const QuarkLoss loss = quark_loss(policy_logits, reference_logits, target_ids, mask, beta, alpha);

  Terms expected{0, 0, 0};
  for (std::size_t i = 0; i < 3; ++i) {  // the three unmasked tokens
    const Terms one = by_hand(policy[i], reference[i], static_cast<std::size_t>(targets[i]));
    expected.nll += one.nll / 3;
    expected.kl += one.kl / 3;
    expected.entropy += one.entropy / 3;
  }
  EXPECT_NEAR(loss.nll.item<double>(), expected.nll, 1e-5);
  EXPECT_NEAR(loss.kl.item<double>(), expected.kl, 1e-5);
  EXPECT_NEAR(loss.entropy.item<double>(), expected.entropy, 1e-5);
  EXPECT_NEAR(loss.loss.item<double>(),
              expected.nll + beta * expected.kl - alpha * expected.entropy, 1e-5);
  EXPECT_GT(expected.kl, 0.0);

  // The padded position gets no gradient; the others do.
  loss.loss.backward();
  const auto gradient = policy_logits.grad();
  EXPECT_EQ(gradient[1][1].abs().sum().item<double>(), 0.0);
  EXPECT_GT(gradient[0][0].abs().sum().item<double>(), 0.0);
}

TEST(QuarkLoss, IdenticalDistributionsHaveZeroKl) {
  torch::manual_seed(1);
  const auto logits = torch::randn({1, 3, 5}, torch::TensorOptions().dtype(torch::kFloat32));
  const auto targets = torch::zeros({1, 3}, torch::kLong);
  const auto mask = torch::ones({1, 3});
  const QuarkLoss loss = quark_loss(logits, logits, targets, mask, 1.0, 0.0);
  EXPECT_NEAR(loss.kl.item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(loss.loss.item<double>(), loss.nll.item<double>(), 1e-6);
}

}  // namespace
}  // namespace paddock::quark
