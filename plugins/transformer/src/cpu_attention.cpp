// The CPU attention kernels, decoding loops and per-head tasks; see cpu_attention.hpp.
#include "paddock/transformer/cpu_attention.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace paddock::transformer {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Crossovers measured with bench/attention_bench (docs/performance.md): up to this many
// queries per row, inference runs in plain loops; from this many query-key scores per head,
// the per-head tasks beat LibTorch's batched products.
constexpr std::int64_t kMostQueriesForLoops = 2;
constexpr std::int64_t kFewestScoresForTasks = 128 * 128;

// The additive mask's value for a key a query may not see (attention_bias).
constexpr float kMasked = std::numeric_limits<float>::lowest();

bool differentiable(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  return torch::GradMode::is_enabled() &&
         (q.requires_grad() || k.requires_grad() || v.requires_grad());
}

// Every (batch row, key/value head) pair once, split over LibTorch's threads. Each task's
// products run single-threaded (OpenBLAS does not start threads inside a parallel region).
template <typename Task>
void for_each_row_and_group(std::int64_t batch, std::int64_t groups, const Task& task) {
  at::parallel_for(0, batch * groups, 1, [&](std::int64_t begin, std::int64_t end) {
    torch::NoGradGuard no_grad;  // grad mode is per thread; these are plain products
    for (std::int64_t index = begin; index < end; ++index) task(index / groups, index % groups);
  });
}

// For each batch row, the queries that may see no key (their bias row is all lowest).
std::vector<std::vector<std::int64_t>> blind_queries(const torch::Tensor& bias) {
  const auto blind = bias.amax(-1).lt(0).to(torch::kCPU).contiguous();  // [B, T]
  const auto* flags = blind.data_ptr<bool>();
  std::vector<std::vector<std::int64_t>> rows(blind.size(0));
  for (std::int64_t b = 0; b < blind.size(0); ++b) {
    for (std::int64_t t = 0; t < blind.size(1); ++t) {
      if (flags[b * blind.size(1) + t]) rows[b].push_back(t);
    }
  }
  return rows;
}

struct CpuAttentionFunction : torch::autograd::Function<CpuAttentionFunction> {
  static torch::Tensor forward(AutogradContext* context, const torch::Tensor& q_in,
                               const torch::Tensor& k_in, const torch::Tensor& v_in,
                               const torch::Tensor& bias, double scale) {
    const auto q = q_in.detach(), k = k_in.detach(), v = v_in.detach();
    const std::int64_t batch = q.size(0), heads = q.size(1), steps = q.size(2), d = q.size(3);
    const std::int64_t groups = k.size(1), keys = k.size(2), per_group = heads / groups;
    auto output = torch::empty({batch, steps, heads, d}, q.options());
    auto probabilities = torch::empty({batch, heads, steps, keys}, q.options());
    for_each_row_and_group(batch, groups, [&](std::int64_t b, std::int64_t g) {
      const auto keys_bg = k[b][g], values_bg = v[b][g], bias_b = bias[b];
      for (std::int64_t h = g * per_group; h < (g + 1) * per_group; ++h) {
        const auto scores = at::addmm(bias_b, q[b][h], keys_bg.t(), 1, scale);
        auto p = probabilities[b][h];
        at::_softmax_out(p, scores, 1, false);
        auto out = output[b].select(1, h);
        at::mm_out(out, p, values_bg);
      }
    });
    context->save_for_backward({q, k, v, probabilities, bias});
    context->saved_data["scale"] = scale;
    return output.view({batch, steps, heads * d});
  }

  static variable_list backward(AutogradContext* context, variable_list gradients) {
    const auto saved = context->get_saved_variables();
    const auto &q = saved[0], &k = saved[1], &v = saved[2], &probabilities = saved[3];
    const double scale = context->saved_data["scale"].toDouble();
    const std::int64_t batch = q.size(0), heads = q.size(1), steps = q.size(2), d = q.size(3);
    const std::int64_t groups = k.size(1), keys = k.size(2), per_group = heads / groups;
    const auto grad_output = gradients[0].contiguous().view({batch, steps, heads, d});
    const auto blind = blind_queries(saved[4]);
    auto grad_q = torch::empty({batch, steps, heads, d}, q.options());
    auto grad_k = torch::empty({batch, keys, groups, d}, k.options());
    auto grad_v = torch::empty({batch, keys, groups, d}, v.options());
    for_each_row_and_group(batch, groups, [&](std::int64_t b, std::int64_t g) {
      const auto keys_bg = k[b][g], values_bg = v[b][g];
      auto grad_keys = grad_k[b].select(1, g), grad_values = grad_v[b].select(1, g);
      for (std::int64_t h = g * per_group; h < (g + 1) * per_group; ++h) {
        const auto grad_out = grad_output[b].select(1, h), p = probabilities[b][h];
        auto grad_scores =
            at::_softmax_backward_data(at::mm(grad_out, values_bg.t()), p, 1, torch::kFloat32);
        // masked_fill's convention: a query that saw no key passes nothing to its scores.
        for (const std::int64_t row : blind[b]) grad_scores[row].zero_();
        auto grad_query = grad_q[b].select(1, h);
        at::addmm_out(grad_query, grad_query, grad_scores, keys_bg, 0, scale);
        const double beta = h == g * per_group ? 0 : 1;  // the group's heads add up
        at::addmm_out(grad_keys, grad_keys, grad_scores.t(), q[b][h], beta, scale);
        at::addmm_out(grad_values, grad_values, p.t(), grad_out, beta, 1);
      }
    });
    return {grad_q.permute({0, 2, 1, 3}), grad_k.permute({0, 2, 1, 3}),
            grad_v.permute({0, 2, 1, 3}), torch::Tensor(), torch::Tensor()};
  }
};

// Four floats in one SSE register (the x86-64 baseline), through GCC's vector extension.
using Float4 = float __attribute__((vector_size(16)));

Float4 load4(const float* p) {
  Float4 lanes;
  std::memcpy(&lanes, p, sizeof lanes);
  return lanes;
}

// a . b over one head's D floats, in eight running sums.
float dot(const float* a, const float* b, std::int64_t d) {
  Float4 low = {0, 0, 0, 0}, high = {0, 0, 0, 0};
  std::int64_t i = 0;
  for (; i + 8 <= d; i += 8) {
    low += load4(a + i) * load4(b + i);
    high += load4(a + i + 4) * load4(b + i + 4);
  }
  const Float4 both = low + high;
  float sum = (both[0] + both[1]) + (both[2] + both[3]);
  for (; i < d; ++i) sum += a[i] * b[i];
  return sum;
}

// out += weight * row over D floats.
void add_scaled(float* out, float weight, const float* row, std::int64_t d) {
  std::int64_t i = 0;
  for (; i + 4 <= d; i += 4) {
    const Float4 sum = load4(out + i) + weight * load4(row + i);
    std::memcpy(out + i, &sum, sizeof sum);
  }
  for (; i < d; ++i) out[i] += weight * row[i];
}

// Inference with few queries per row (decoding): products too small for a BLAS call, so
// plain loops per (batch row, head, query), each independent of the other rows in the batch.
torch::Tensor few_query_attention(const torch::Tensor& q_in, const torch::Tensor& k_in,
                                  const torch::Tensor& v_in, const torch::Tensor& bias_in,
                                  double scale) {
  const auto q = q_in.stride(3) == 1 ? q_in : q_in.contiguous();
  const auto k = k_in.stride(3) == 1 ? k_in : k_in.contiguous();
  const auto v = v_in.stride(3) == 1 ? v_in : v_in.contiguous();
  const auto bias = bias_in.contiguous();
  const std::int64_t batch = q.size(0), heads = q.size(1), steps = q.size(2), d = q.size(3);
  const std::int64_t groups = k.size(1), keys = k.size(2), per_group = heads / groups;
  const std::int64_t q_batch = q.stride(0), q_head = q.stride(1), q_step = q.stride(2);
  const std::int64_t k_batch = k.stride(0), k_group = k.stride(1), k_key = k.stride(2);
  const std::int64_t v_batch = v.stride(0), v_group = v.stride(1), v_key = v.stride(2);
  auto output = torch::empty({batch, steps, heads, d}, q.options());
  const float *q_data = q.data_ptr<float>(), *k_data = k.data_ptr<float>();
  const float *v_data = v.data_ptr<float>(), *bias_data = bias.data_ptr<float>();
  float* out_data = output.data_ptr<float>();
  const float factor = static_cast<float>(scale);
  at::parallel_for(0, batch * heads * steps, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> weights(keys);
    for (std::int64_t index = begin; index < end; ++index) {
      const std::int64_t b = index / (heads * steps), h = index / steps % heads, t = index % steps;
      const float* query = q_data + b * q_batch + h * q_head + t * q_step;
      const float* key = k_data + b * k_batch + h / per_group * k_group;
      const float* value = v_data + b * v_batch + h / per_group * v_group;
      const float* bias_row = bias_data + (b * steps + t) * keys;
      // Masked keys (padding, other rows' slots in the cache) are skipped: their weight would
      // be exp(lowest - highest) = 0 exactly, unless no key is visible, when all weigh the same.
      float highest = kMasked;
      for (std::int64_t s = 0; s < keys; ++s) {
        weights[s] = bias_row[s] == kMasked ? kMasked
                                            : bias_row[s] + factor * dot(query, key + s * k_key, d);
        highest = std::max(highest, weights[s]);
      }
      const bool blind = highest == kMasked;
      float total = 0;
      for (std::int64_t s = 0; s < keys; ++s) {
        weights[s] = weights[s] == kMasked && !blind ? 0.0f : std::exp(weights[s] - highest);
        total += weights[s];
      }
      float* out = out_data + ((b * steps + t) * heads + h) * d;
      std::fill(out, out + d, 0.0f);
      for (std::int64_t s = 0; s < keys; ++s) {
        if (weights[s] != 0) add_scaled(out, weights[s] / total, value + s * v_key, d);
      }
    }
  });
  return output.view({batch, steps, heads * d});
}

}  // namespace

torch::Tensor attention_bias(const torch::Tensor& allowed) {
  const auto mask = allowed.dim() == 4 ? allowed.squeeze(1) : allowed;
  return torch::zeros(mask.sizes(),
                      torch::TensorOptions().dtype(torch::kFloat32).device(mask.device()))
      .masked_fill_(mask.logical_not(), kMasked);
}

torch::Tensor cpu_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                            const torch::Tensor& bias, double scale) {
  if (!differentiable(q, k, v) && q.size(2) <= kMostQueriesForLoops) {
    return few_query_attention(q, k, v, bias, scale);
  }
  return CpuAttentionFunction::apply(q, k, v, bias, scale);
}

bool cpu_attention_shape_may_apply(std::int64_t queries, std::int64_t keys) {
  return queries <= kMostQueriesForLoops || queries * keys >= kFewestScoresForTasks;
}

bool cpu_attention_applies(const torch::Tensor& q, std::int64_t keys) {
  if (!q.device().is_cpu() || q.scalar_type() != torch::kFloat32) return false;
  if (!cpu_attention_shape_may_apply(q.size(2), keys)) return false;
  const bool decoding =
      !(torch::GradMode::is_enabled() && q.requires_grad()) && q.size(2) <= kMostQueriesForLoops;
  return decoding || q.size(2) * keys >= kFewestScoresForTasks;
}

}  // namespace paddock::transformer
