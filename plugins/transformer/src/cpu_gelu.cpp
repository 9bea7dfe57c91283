// The GELU kernels; see cpu_gelu.hpp.
#include "paddock/transformer/cpu_gelu.hpp"

#include <ATen/Parallel.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define PADDOCK_CPU_GELU_KERNEL 1
#endif

#include <algorithm>
#include <cstdint>

#include "paddock/core/compute_environment.hpp"

namespace paddock::transformer {
namespace {

#if defined(PADDOCK_CPU_GELU_KERNEL)

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// gelu_new(x) = x * sigmoid(z), z = kSlope * x + kCubicSlope * x^3 (z = 2u, u tanh's argument).
constexpr float kSlope = 1.5957691216057308f;  // 2 * sqrt(2 / pi)
constexpr float kCubicSlope = 1.5957691216057308f * 0.044715f;
// Elements per parallel task: smaller tasks cost more to hand out than they save.
constexpr std::int64_t kGrain = 16384;
// z is clamped here: exp(80) is far from overflow, sigmoid(-80) = 1.8e-35 is still a normal
// float, and beyond it gelu is 0 or x to float precision.
constexpr float kLargestExponent = 80.0f;

bool cpu_has_avx2_fma() {
  static const bool has = [] {
    const core::CpuVectorFeatures features = core::cpu_vector_features();
    return features.avx2 && features.fma;
  }();
  return has;
}

// exp on eight floats in [-kLargestExponent, kLargestExponent]: 2^n * exp(r) with
// n = round(y / ln 2) and |r| <= ln(2) / 2, exp(r) by its Taylor series to r^7 (the first
// omitted term is below 1e-8 relative), ln 2 split in two so that r is exact.
__attribute__((target("avx2,fma"))) inline __m256 exp8(__m256 y) {
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(y, _mm256_set1_ps(1.4426950408889634f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), y);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256i exponent =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(exponent));
}

// The gate sigmoid(z) of eight elements, with exp(-z) in `decay` when given (1 - sigmoid(z)
// is decay * sigmoid(z), exact where 1 - s would cancel) and dz/dx in `slope`. Where z is
// beyond the clamp the gate is flat: 0 below (gelu is 0, not x times a tiny number) or 1
// above, and its slope is 0, so huge activations get the derivative 0 or 1.
__attribute__((target("avx2,fma"))) inline __m256 gate8(__m256 x, __m256* decay = nullptr,
                                                        __m256* slope = nullptr) {
  const __m256 square = _mm256_mul_ps(x, x);
  const __m256 unclamped = _mm256_mul_ps(
      x, _mm256_fmadd_ps(square, _mm256_set1_ps(kCubicSlope), _mm256_set1_ps(kSlope)));
  const __m256 z = _mm256_min_ps(_mm256_max_ps(unclamped, _mm256_set1_ps(-kLargestExponent)),
                                 _mm256_set1_ps(kLargestExponent));
  if (slope) {
    // False where z was clamped (and where it is NaN, which x carries on anyway).
    const __m256 inside = _mm256_cmp_ps(unclamped, z, _CMP_EQ_OQ);
    *slope = _mm256_and_ps(inside, _mm256_fmadd_ps(square, _mm256_set1_ps(3.0f * kCubicSlope),
                                                   _mm256_set1_ps(kSlope)));
  }
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), z));
  if (decay) *decay = e;
  const __m256 below = _mm256_cmp_ps(unclamped, _mm256_set1_ps(-kLargestExponent), _CMP_LT_OQ);
  return _mm256_andnot_ps(below, _mm256_div_ps(one, _mm256_add_ps(one, e)));
}

// gelu on eight elements.
__attribute__((target("avx2,fma"))) inline __m256 gelu8(__m256 x) {
  return _mm256_mul_ps(x, gate8(x));
}

// d gelu / dx = s + x * s * (1 - s) * dz/dx, s = sigmoid(z), 1 - s = exp(-z) * s, times the
// incoming gradient, on eight elements.
__attribute__((target("avx2,fma"))) inline __m256 gelu_gradient8(__m256 x, __m256 grad) {
  __m256 decay, slope;
  const __m256 s = gate8(x, &decay, &slope);
  const __m256 spread = _mm256_mul_ps(_mm256_mul_ps(x, s), _mm256_mul_ps(decay, s));
  return _mm256_mul_ps(grad, _mm256_fmadd_ps(spread, slope, s));
}

// The last count % 8 elements go through the same vector code in a zero-padded block, so
// every element's bits are the same wherever the parallel loop splits the range (a scalar
// tail would round differently, and results would depend on the thread count).
__attribute__((target("avx2,fma"))) void forward_range(const float* x, float* y,
                                                       std::int64_t count) {
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) _mm256_storeu_ps(y + i, gelu8(_mm256_loadu_ps(x + i)));
  if (i == count) return;
  alignas(32) float block[8] = {};
  std::copy(x + i, x + count, block);
  _mm256_store_ps(block, gelu8(_mm256_load_ps(block)));
  std::copy(block, block + (count - i), y + i);
}

__attribute__((target("avx2,fma"))) void backward_range(const float* x, const float* grad,
                                                        float* out, std::int64_t count) {
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    _mm256_storeu_ps(out + i, gelu_gradient8(_mm256_loadu_ps(x + i), _mm256_loadu_ps(grad + i)));
  }
  if (i == count) return;
  alignas(32) float block[8] = {}, block_grad[8] = {};
  std::copy(x + i, x + count, block);
  std::copy(grad + i, grad + count, block_grad);
  _mm256_store_ps(block, gelu_gradient8(_mm256_load_ps(block), _mm256_load_ps(block_grad)));
  std::copy(block, block + (count - i), out + i);
}

torch::Tensor forward_kernel(const torch::Tensor& input) {
  auto output = torch::empty(input.sizes(), input.options());
  const float* x = input.data_ptr<float>();
  float* y = output.data_ptr<float>();
  at::parallel_for(0, input.numel(), kGrain, [&](std::int64_t begin, std::int64_t end) {
    forward_range(x + begin, y + begin, end - begin);
  });
  return output;
}

struct GeluTanhFunction : torch::autograd::Function<GeluTanhFunction> {
  static torch::Tensor forward(AutogradContext* context, const torch::Tensor& x) {
    const auto input = x.contiguous();
    context->save_for_backward({input});
    return forward_kernel(input);
  }

  static variable_list backward(AutogradContext* context, variable_list gradients) {
    const auto input = context->get_saved_variables()[0];
    const auto grad = gradients[0].contiguous();
    auto result = torch::empty(input.sizes(), input.options());
    const float* x = input.data_ptr<float>();
    const float* g = grad.data_ptr<float>();
    float* out = result.data_ptr<float>();
    at::parallel_for(0, input.numel(), kGrain, [&](std::int64_t begin, std::int64_t end) {
      backward_range(x + begin, g + begin, out + begin, end - begin);
    });
    return {result};
  }
};

#endif  // PADDOCK_CPU_GELU_KERNEL

}  // namespace

bool cpu_gelu_applies(const torch::Tensor& x) {
#if defined(PADDOCK_CPU_GELU_KERNEL)
  return x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && cpu_has_avx2_fma();
#else
  (void)x;
  return false;  // the kernel is x86-64 vector code
#endif
}

torch::Tensor gelu_tanh(const torch::Tensor& x) {
#if defined(PADDOCK_CPU_GELU_KERNEL)
  if (cpu_gelu_applies(x)) {
    if (torch::GradMode::is_enabled() && x.requires_grad()) return GeluTanhFunction::apply(x);
    return forward_kernel(x.contiguous());
  }
#endif
  return torch::gelu(x, "tanh");
}

}  // namespace paddock::transformer
