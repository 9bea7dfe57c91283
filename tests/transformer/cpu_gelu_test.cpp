// The CPU GELU kernel gives the tanh-approximated GELU (float64 LibTorch as the truth), forward
// and backward, over the whole float range that matters, at every length (the vector loop's
// tail included), on strided input and over more than one thread, with the same bits on any
// number of threads.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <utility>

#include "paddock/transformer/cpu_gelu.hpp"

namespace paddock::transformer {
namespace {

// Every value from -12 to 12 in small steps, the exact zero and large magnitudes, up to
// where x^3 overflows a float.
torch::Tensor sweep() {
  return torch::cat(
      {torch::linspace(-12.0, 12.0, 24001), torch::tensor({0.0f, -30.0f, 30.0f, -1e4f, 1e4f, -1e12f,
                                                           1e12f, -1e20f, 1e20f, -1e30f, 1e30f})});
}

// Forward values and the gradient of sum(w * gelu(x)) through `gelu`.
std::pair<torch::Tensor, torch::Tensor> value_and_gradient(
    const torch::Tensor& x, const torch::Tensor& weights,
    const std::function<torch::Tensor(const torch::Tensor&)>& gelu) {
  const auto input = x.detach().clone().requires_grad_(true);
  const auto output = gelu(input);
  (output * weights).sum().backward();
  return {output.detach(), input.grad()};
}

// Largest |a - b| / (1 + |b|).
double relative_gap(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a.to(torch::kFloat64) - b).abs() / (b.abs() + 1)).max().item<double>();
}

// Values and gradients within 2e-7 and 5e-7 of the float64 truth, relative to 1 + |truth|
// (LibTorch's own float path is within 1e-6 of it).
void expect_near_float64(const torch::Tensor& x) {
  if (!cpu_gelu_applies(x)) GTEST_SKIP() << "this CPU has no AVX2 and FMA";
  torch::manual_seed(7);
  const auto weights = torch::randn(x.sizes());
  const auto [mine, my_gradient] = value_and_gradient(x, weights, gelu_tanh);
  const auto [truth, true_gradient] =
      value_and_gradient(x.to(torch::kFloat64), weights.to(torch::kFloat64),
                         [](const torch::Tensor& t) { return torch::gelu(t, "tanh"); });
  EXPECT_LT(relative_gap(mine, truth), 2e-7);
  EXPECT_LT(relative_gap(my_gradient, true_gradient), 5e-7);
}

TEST(CpuGelu, ForwardAndBackwardAreTheFloat64ValuesOverTheWholeRange) {
  expect_near_float64(sweep());
}

TEST(CpuGelu, EveryLengthIncludingTheVectorLoopsTail) {
  torch::manual_seed(3);
  for (std::int64_t length : {1, 7, 8, 9, 15, 17, 31}) {
    SCOPED_TRACE(length);
    expect_near_float64(torch::randn({length}) * 3);
  }
}

TEST(CpuGelu, StridedInputAndSeveralThreads) {
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  torch::manual_seed(5);
  // A transposed [512, 300] matrix: not contiguous, and large enough to split over threads.
  expect_near_float64((torch::randn({512, 300}) * 4).t());
  at::set_num_threads(threads);
}

// Two threads split the range where a one-thread run does not; no element may notice.
TEST(CpuGelu, TheThreadCountChangesNoBit) {
  torch::manual_seed(11);
  // Halves of 40,004 elements are not multiples of the vector width.
  const auto x = torch::randn({40004}) * 4;
  if (!cpu_gelu_applies(x)) GTEST_SKIP() << "this CPU has no AVX2 and FMA";
  const auto weights = torch::randn({40004});
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const auto [one_value, one_gradient] = value_and_gradient(x, weights, gelu_tanh);
  at::set_num_threads(2);
  const auto [two_value, two_gradient] = value_and_gradient(x, weights, gelu_tanh);
  at::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one_value, two_value));
  EXPECT_TRUE(torch::equal(one_gradient, two_gradient));
}

TEST(CpuGelu, WithoutGradientsGivesTheSameValues) {
  const auto x = torch::randn({64, 33}) * 5;
  if (!cpu_gelu_applies(x)) GTEST_SKIP() << "this CPU has no AVX2 and FMA";
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(gelu_tanh(x), torch::gelu(x, "tanh"), 1e-6, 1e-6));
}

TEST(CpuGelu, OtherTypesTakeLibTorchsPath) {
  const auto x = torch::linspace(-4.0, 4.0, 101, torch::kFloat64);
  EXPECT_FALSE(cpu_gelu_applies(x));
  EXPECT_TRUE(torch::equal(gelu_tanh(x), torch::gelu(x, "tanh")));
}

}  // namespace
}  // namespace paddock::transformer
