// GPT-2's GELU ("gelu_new", the tanh approximation) for float32 tensors on the CPU, forward
// and backward each in one pass over the elements.
//
// LibTorch 1.13 evaluates it with SLEEF's 1-ulp tanh, which a profile of PPO on the
// quickstart model put at 9% of the node's time. The same function written as
// x * sigmoid(2u), u = sqrt(2/pi) * (x + 0.044715 x^3) (since (1 + tanh u) / 2 = sigmoid(2u)),
// needs one exponential, here an AVX2 polynomial where the CPU has AVX2 and FMA. Results
// are within 2e-7 (values) and 5e-7 (gradients) of a float64 evaluation, relative to 1 + |it|
// (tests/transformer/cpu_gelu_test.cpp).
#pragma once

#include <torch/torch.h>

namespace paddock::transformer {

// gelu_new(x), differentiable in x (first derivatives: its backward is not itself
// differentiable). Float32 CPU tensors on x86-64 CPUs with AVX2 and FMA take the kernel;
// anything else LibTorch's torch::gelu(x, "tanh").
torch::Tensor gelu_tanh(const torch::Tensor& x);

// Whether gelu_tanh takes the kernel for `x`.
bool cpu_gelu_applies(const torch::Tensor& x);

}  // namespace paddock::transformer
