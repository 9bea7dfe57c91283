// The optimizer step's pieces: the global gradient norm (read back once per step) and
// clipping.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "paddock/learning/optimization.hpp"

namespace paddock::learning {
namespace {

std::vector<torch::Tensor> parameters_with_gradients() {
  torch::manual_seed(3);
  std::vector<torch::Tensor> parameters;
  for (const auto& shape : std::vector<std::vector<std::int64_t>>{{7, 5}, {5}, {3, 2, 4}, {1}}) {
    auto parameter = torch::randn(shape).requires_grad_();
    parameter.mutable_grad() = torch::randn(shape) * 3;
    parameters.push_back(parameter);
  }
  parameters.push_back(torch::randn({4}).requires_grad_());  // no gradient: skipped
  return parameters;
}

TEST(Optimization, GradientNormIsTheHostSumOfSquaresBitForBit) {
  const auto parameters = parameters_with_gradients();
  double squares = 0.0;  // what one host read per tensor gives, in the same order
  for (const auto& parameter : parameters) {
    if (parameter.grad().defined())
      squares += parameter.grad().to(torch::kFloat64).pow(2).sum().item<double>();
  }
  EXPECT_EQ(gradient_norm(parameters), std::sqrt(squares));
  EXPECT_EQ(gradient_norm({}), 0.0);
}

TEST(Optimization, GradientNormIsNotFiniteWhenAGradientIsNot) {
  auto parameters = parameters_with_gradients();
  parameters[2].mutable_grad()[1][0][3] = std::nan("");
  EXPECT_TRUE(std::isnan(gradient_norm(parameters)));
  parameters[2].mutable_grad()[1][0][3] = INFINITY;
  EXPECT_TRUE(std::isinf(gradient_norm(parameters)));
}

TEST(Optimization, ClippingScalesTheNormDownToTheLimitOnly) {
  auto parameters = parameters_with_gradients();
  const double norm = gradient_norm(parameters);
  clip_gradients(parameters, norm, norm * 2);  // already small enough: untouched
  EXPECT_EQ(gradient_norm(parameters), norm);
  clip_gradients(parameters, norm, 1.0);
  EXPECT_NEAR(gradient_norm(parameters), 1.0, 1e-5);
}

}  // namespace
}  // namespace paddock::learning
