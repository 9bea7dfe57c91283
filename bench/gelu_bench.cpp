// gelu_bench: the CPU GELU kernel (plugins/transformer/src/cpu_gelu.cpp) against LibTorch's
// torch::gelu(x, "tanh"), at the feed-forward shapes of the quickstart model: a training
// micro-batch (forward + backward), a scoring pass and a decoding step (forward). Both paths
// alternate in one process; each line is the fastest of its runs, and the ratio is theirs /
// ours for that round.
//
//   gelu_bench [threads] [rounds]
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

#include "fastest_run.hpp"
#include "paddock/transformer/cpu_gelu.hpp"

namespace {

using paddock::bench::fastest_milliseconds;

using Gelu = std::function<torch::Tensor(const torch::Tensor&)>;

double time_gelu(const Gelu& gelu, const torch::Tensor& x, bool backward) {
  const auto grad = torch::randn(x.sizes());
  return fastest_milliseconds(20, [&] {
    if (!backward) {
      torch::NoGradGuard no_grad;
      gelu(x);
      return;
    }
    const auto input = x.detach().requires_grad_(true);
    gelu(input).backward(grad);
  });
}

void compare(const char* what, std::int64_t rows, bool backward, int rounds) {
  const auto x = torch::randn({rows, 512}) * 2;
  const Gelu libtorch = [](const torch::Tensor& t) { return torch::gelu(t, "tanh"); };
  const Gelu kernel = paddock::transformer::gelu_tanh;
  for (int round = 0; round < rounds; ++round) {
    const double theirs = time_gelu(libtorch, x, backward);
    const double ours = time_gelu(kernel, x, backward);
    std::printf("%-34s round %d  libtorch %8.3f ms  kernel %8.3f ms  ratio %.2f\n", what, round,
                theirs, ours, theirs / ours);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  at::set_num_threads(threads);
  std::printf("threads %d, kernel applies: %s\n", threads,
              paddock::transformer::cpu_gelu_applies(torch::zeros({1})) ? "yes" : "no");
  compare("training 16 x 110 tokens, fwd+bwd", 1760, true, rounds);
  compare("scoring 16 x 110 tokens, forward", 1760, false, rounds);
  compare("decoding 32 rows, forward", 32, false, rounds);
  return 0;
}
