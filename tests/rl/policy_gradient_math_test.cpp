// The RL formulas on examples worked out by hand.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "paddock/error.hpp"
#include "paddock/rl/policy_gradient_math.hpp"

namespace paddock::rl {
namespace {

torch::Tensor row(std::vector<float> values) {
  return torch::tensor(values).unsqueeze(0);
}

void expect_near(const torch::Tensor& actual, std::vector<float> expected,
                 double tolerance = 1e-5) {
  const auto flat = actual.flatten().to(torch::kFloat32);
  ASSERT_EQ(flat.numel(), static_cast<std::int64_t>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(flat[static_cast<std::int64_t>(i)].item<float>(), expected[i], tolerance)
        << "element " << i;
  }
}

TEST(PolicyGradientMath, KlEstimators) {
  const auto logp = row({std::log(0.5f)}), reference = row({std::log(0.25f)});
  expect_near(kl_per_token(logp, reference, KlEstimator::k1), {0.693147f});
  expect_near(kl_per_token(logp, reference, KlEstimator::k2), {0.240227f});
  expect_near(kl_per_token(logp, reference, KlEstimator::k3), {0.193147f});
  // k1 can be negative; its penalty is clamped at zero, as AlpacaFarm's.
  expect_near(kl_penalty(kl_per_token(reference, logp, KlEstimator::k1), KlEstimator::k1), {0.0f});
}

TEST(PolicyGradientMath, WhiteningKeepsOrShiftsTheMean) {
  const auto values = row({2, 4, 6}), mask = torch::ones({1, 3});
  expect_near(whiten(values, mask, /*shift_mean=*/true), {-1, 0, 1}, 1e-4);
  expect_near(whiten(values, mask, /*shift_mean=*/false), {3, 4, 5}, 1e-4);
  // Masked positions do not count towards the statistics.
  expect_near(masked_mean(row({2, 4, 100}), row({1, 1, 0})), {3});
}

TEST(PolicyGradientMath, ShapedRewardsPenaliseEveryTokenAndScoreTheLast) {
  expect_near(shaped_rewards(row({0.5, 1.0, 0.0}), torch::tensor({2.0f}),
                             torch::tensor({1}, torch::kLong), 0.1),
              {-0.05f, 1.9f, 0.0f});
}

TEST(PolicyGradientMath, GeneralizedAdvantages) {
  const auto rewards = row({1, 0, 2}), values = row({0.5, 0.5, 0.5});
  const Advantages undiscounted = generalized_advantages(rewards, values, 1.0, 1.0);
  expect_near(undiscounted.advantages, {2.5f, 1.5f, 1.5f});
  expect_near(undiscounted.returns, {3, 2, 2});  // the sums of future rewards
  expect_near(generalized_advantages(rewards, values, 0.5, 0.5).advantages,
              {0.78125f, 0.125f, 1.5f});
}

TEST(PolicyGradientMath, ClippedPolicyLossMatchesTheFormula) {
  const auto logprobs = row({std::log(1.5f), std::log(0.5f)}), old = row({0, 0});
  const auto advantages = row({1, -1}), mask = torch::ones({1, 2});
  const PolicyLoss loss = clipped_policy_loss(logprobs, old, advantages, mask, 0.2);
  // max(-1.5, -1.2) = -1.2 and max(0.5, 0.8) = 0.8: mean -0.2; both clipped.
  EXPECT_NEAR(loss.loss.item<double>(), -0.2, 1e-6);
  EXPECT_NEAR(loss.clip_fraction.item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(loss.approximate_kl.item<double>(),
              0.25 * (std::pow(std::log(1.5), 2) + std::pow(std::log(0.5), 2)), 1e-6);
  // Inside the clip range the surrogate is just -A * ratio.
  const PolicyLoss small =
      clipped_policy_loss(row({std::log(1.1f)}), row({0}), row({2}), torch::ones({1, 1}), 0.2);
  EXPECT_NEAR(small.loss.item<double>(), -2.2, 1e-5);
  EXPECT_EQ(small.clip_fraction.item<double>(), 0.0);
}

TEST(PolicyGradientMath, ClippedValueLossTakesTheWorseOfClippedAndUnclipped) {
  EXPECT_NEAR(clipped_value_loss(row({1.0}), row({0.5}), row({2.0}), torch::ones({1, 1}), 0.2)
                  .item<double>(),
              0.845, 1e-6);
}

TEST(PolicyGradientMath, GroupAdvantages) {
  const auto rewards = torch::tensor({{1.0f, 2.0f, 3.0f}, {5.0f, 5.0f, 8.0f}});
  const auto loo = leave_one_out_advantages(rewards);
  expect_near(loo.select(0, 0), {-1.5f, 0.0f, 1.5f});
  EXPECT_NEAR(loo.sum(1).abs().max().item<double>(), 0.0, 1e-5);  // each prompt's sum is zero
  const auto standardized = group_standardized_advantages(rewards);
  expect_near(standardized.select(0, 0), {-1.0f, 0.0f, 1.0f}, 1e-4);
}

TEST(PolicyGradientMath, AdaptiveKlControllerMovesTowardsTheTarget) {
  EXPECT_GT(adapt_kl_coefficient(0.1, 12.0, 6.0, 100.0, 10.0), 0.1);
  EXPECT_LT(adapt_kl_coefficient(0.1, 1.0, 6.0, 100.0, 10.0), 0.1);
  EXPECT_NEAR(adapt_kl_coefficient(0.1, 12.0, 6.0, 100.0, 10.0), 0.1 * (1 + 0.2 * 0.1),
              1e-12);  // error clipped at 0.2
}

TEST(PolicyGradientMath, ExplainedVariance) {
  const auto returns = row({1, 2, 3, 4}), mask = torch::ones({1, 4});
  EXPECT_NEAR(explained_variance(returns, returns, mask), 1.0, 1e-6);
  EXPECT_NEAR(explained_variance(torch::zeros({1, 4}), returns, mask), 0.0, 1e-6);
}

}  // namespace
}  // namespace paddock::rl
