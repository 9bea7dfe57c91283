// attention_bench: the CPU attention kernels (plugins/transformer/src/cpu_attention.cpp)
// against LibTorch's batched products, at the shapes where the decoder chooses between them:
// training and scoring passes (forward, forward + backward) and decoding steps against a
// key/value cache. The fastest of several runs, both paths in one process.
//
//   attention_bench [threads]
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>

#include "fastest_run.hpp"
#include "paddock/transformer/cpu_attention.hpp"

namespace {

using paddock::bench::fastest_milliseconds;

using paddock::transformer::attention_bias;
using paddock::transformer::cpu_attention;

torch::Tensor batched_products(const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, const torch::Tensor& allowed, double scale) {
  auto scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  scores = scores.masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest());
  return torch::matmul(torch::softmax(scores, -1), v)
      .transpose(1, 2)
      .reshape({q.size(0), q.size(2), -1});
}

// Causal attention of `queries` new positions over `keys` keys, [B, 1, T, S].
torch::Tensor causal(std::int64_t batch, std::int64_t queries, std::int64_t keys) {
  return torch::ones({keys, keys}, torch::kBool)
      .tril()
      .narrow(0, keys - queries, queries)
      .view({1, 1, queries, keys})
      .expand({batch, 1, queries, keys})
      .contiguous();
}

void compare(std::int64_t batch, std::int64_t heads, std::int64_t queries, std::int64_t keys,
             std::int64_t d, bool backward) {
  const auto options = torch::requires_grad(backward);
  const auto q = torch::randn({batch, heads, queries, d}, options);
  const auto k = torch::randn({batch, heads, keys, d}, options);
  const auto v = torch::randn({batch, heads, keys, d}, options);
  const auto allowed = causal(batch, queries, keys);
  const auto bias = attention_bias(allowed);
  const auto upstream = torch::randn({batch, queries, heads * d});
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  auto run = [&](bool kernels) {
    return fastest_milliseconds(10, [&] {
      torch::AutoGradMode grad_mode(backward);
      const auto out =
          kernels ? cpu_attention(q, k, v, bias, scale) : batched_products(q, k, v, allowed, scale);
      if (backward) out.backward(upstream);
    });
  };
  const double libtorch = run(false), kernels = run(true);
  std::printf(
      "%-16s batch %3ld heads %2ld queries %3ld keys %3ld d %2ld  batched %7.2f ms  "
      "kernels %7.2f ms  %.2fx\n",
      backward       ? "forward+backward"
      : queries <= 2 ? "decode step"
                     : "forward",
      static_cast<long>(batch), static_cast<long>(heads), static_cast<long>(queries),
      static_cast<long>(keys), static_cast<long>(d), libtorch, kernels, libtorch / kernels);
}

}  // namespace

int main(int argc, char** argv) {
  at::set_num_threads(argc > 1 ? std::atoi(argv[1]) : 2);
  std::printf("LibTorch %s, %d intra-op threads\n", TORCH_VERSION, at::get_num_threads());
  for (const bool backward : {false, true}) {
    for (const std::int64_t length : {32, 64, 128, 256})
      compare(16, 4, length, length, 32, backward);
    compare(16, 6, 128, 128, 64, backward);  // the 11M model
    compare(8, 12, 256, 256, 64, backward);  // GPT-2 124M
  }
  for (const std::int64_t keys : {48, 160, 320}) compare(64, 4, 1, keys, 32, false);
  compare(64, 4, 2, 160, 32, false);
  compare(64, 4, 4, 160, 32, false);
  compare(8, 12, 1, 512, 64, false);
}
