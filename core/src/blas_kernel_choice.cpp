// blas_kernel_choice: the sgemm check, the in-process probe and the choice between kernels.
#include "paddock/core/blas_kernel_choice.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

namespace paddock::core {
namespace {

constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
constexpr double kTolerance = 1e-5;  // float32 rounding is ~1e-7; a wrong kernel is ~1

struct Shape {
  int m, n, k;
  bool transpose_a, transpose_b;
  float beta;
};

// Odd sizes reach the kernels' edge cases; the large one their blocked, threaded paths.
const Shape kShapes[] = {{1, 1, 1, false, false, 0.0F},      {7, 13, 5, false, true, 0.0F},
                         {17, 33, 65, true, false, 1.0F},    {64, 64, 64, false, false, 0.0F},
                         {129, 257, 95, true, true, 1.0F},   {192, 511, 160, false, true, 0.0F},
                         {384, 96, 1024, false, false, 1.0F}};

std::vector<float> uniform_values(std::size_t count, std::mt19937& generator) {
  std::uniform_real_distribution<float> value(-1.0F, 1.0F);
  std::vector<float> values(count);
  for (float& v : values) v = value(generator);
  return values;
}

}  // namespace

SgemmCheck check_sgemm(CblasSgemm sgemm) {
  SgemmCheck check;
  std::mt19937 generator(20261206);
  for (const Shape& shape : kShapes) {
    const int m = shape.m, n = shape.n, k = shape.k;
    // Row-major storage: A is m x k (stored k x m when transposed), B is k x n (n x k).
    const auto a = uniform_values(static_cast<std::size_t>(m) * k, generator);
    const auto b = uniform_values(static_cast<std::size_t>(k) * n, generator);
    const auto c0 = uniform_values(static_cast<std::size_t>(m) * n, generator);
    std::vector<float> c = c0;
    const int lda = shape.transpose_a ? m : k, ldb = shape.transpose_b ? k : n;
    sgemm(kRowMajor, shape.transpose_a ? kTrans : kNoTrans, shape.transpose_b ? kTrans : kNoTrans,
          m, n, k, 1.0F, a.data(), lda, b.data(), ldb, shape.beta, c.data(), n);
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < n; ++j) {
        double sum = 0.0, magnitude = 0.0;
        for (int p = 0; p < k; ++p) {
          const double x = shape.transpose_a ? a[static_cast<std::size_t>(p) * m + i]
                                             : a[static_cast<std::size_t>(i) * k + p];
          const double y = shape.transpose_b ? b[static_cast<std::size_t>(j) * k + p]
                                             : b[static_cast<std::size_t>(p) * n + j];
          sum += x * y;
          magnitude += std::fabs(x * y);
        }
        const std::size_t at = static_cast<std::size_t>(i) * n + j;
        sum += shape.beta * c0[at];
        magnitude += std::fabs(shape.beta * c0[at]);
        const double error = std::fabs(c[at] - sum) / std::max(magnitude, 1e-30);
        if (!(error <= kTolerance)) {  // NaN included
          check.correct = false;
          check.largest_error = error;
          check.problem = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) +
                          (shape.transpose_a ? " A^T" : "") + (shape.transpose_b ? " B^T" : "") +
                          " product, element (" + std::to_string(i) + ", " + std::to_string(j) +
                          "): " + std::to_string(c[at]) + " instead of " + std::to_string(sum);
          return check;
        }
        check.largest_error = std::max(check.largest_error, error);
      }
    }
  }
  check.correct = true;
  return check;
}

KernelProbe probe_openblas(int threads) {
  KernelProbe probe;
  void* library = ::dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* reason = ::dlerror();
    probe.problem = std::string("cannot load libopenblas.so.0: ") + (reason ? reason : "?");
    return probe;
  }
  using Text = char* (*)();
  using SetThreads = void (*)(int);
  const auto corename = reinterpret_cast<Text>(::dlsym(library, "openblas_get_corename"));
  const auto config = reinterpret_cast<Text>(::dlsym(library, "openblas_get_config"));
  const auto set_threads =
      reinterpret_cast<SetThreads>(::dlsym(library, "openblas_set_num_threads"));
  const auto sgemm = reinterpret_cast<CblasSgemm>(::dlsym(library, "cblas_sgemm"));
  if (corename == nullptr || sgemm == nullptr) {
    probe.problem = "libopenblas.so.0 has no openblas_get_corename or cblas_sgemm";
    return probe;  // the library stays loaded: this process exits soon
  }
  if (set_threads != nullptr && threads > 0) set_threads(threads);
  probe.ran = true;
  probe.kernel = corename() ? corename() : "";
  probe.config = (config && config()) ? config() : "";
  probe.products = check_sgemm(sgemm);
  return probe;
}

KernelChoice choose_blas_kernel(const CpuVectorFeatures& cpu, const ProbeKernel& probe) {
  KernelChoice choice;
  if (!(cpu.avx2 && cpu.fma)) return choice;  // no faster kernel to choose
  const KernelProbe own = probe("");
  if (!own.ran || !is_generic_blas_kernel(own.kernel)) return choice;
  const std::string has = cpu.avx512f ? "AVX-512" : "AVX2";
  std::vector<std::string> candidates;
  if (cpu.avx512f) candidates.push_back("SkylakeX");
  candidates.push_back("Haswell");
  std::string refused;
  for (const std::string& candidate : candidates) {
    const KernelProbe tried = probe(candidate);
    std::string why;
    if (!tried.ran) {
      why = tried.problem;
    } else if (tried.kernel != candidate) {
      why = "OpenBLAS ran '" + tried.kernel + "' instead";
    } else if (!tried.products.correct) {
      why = "wrong products: " + tried.products.problem;
    }
    if (why.empty()) {
      char error[32];
      std::snprintf(error, sizeof error, "%.1e", tried.products.largest_error);
      choice.coretype = candidate;
      choice.note = "OpenBLAS picks its generic '" + own.kernel + "' kernels on this CPU (" + has +
                    "); its '" + candidate +
                    "' kernels computed correct products (largest relative error " + error +
                    ") in a check, so Paddock set OPENBLAS_CORETYPE=" + candidate +
                    " (set OPENBLAS_CORETYPE yourself, or PADDOCK_BLAS_KERNEL=keep, to choose)";
      return choice;
    }
    refused += (refused.empty() ? "" : "; ") + candidate + ": " + why;
  }
  choice.warn = true;
  choice.note = "OpenBLAS picks its generic '" + own.kernel + "' kernels on this CPU (" + has +
                "), and no faster kernel passed its check (" + refused +
                "): matrix products run 2-5x slower than they could";
  return choice;
}

}  // namespace paddock::core
