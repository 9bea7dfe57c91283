// Choosing OpenBLAS's kernel before LibTorch loads it. Debian 12's OpenBLAS picks its kernel
// from the CPU when it is loaded and falls back to generic pre-AVX2 kernels on CPUs it does
// not know, 2-5x slower in matrix products. OpenBLAS reads OPENBLAS_CORETYPE once, when it is
// loaded, and the host loads it only with the first LibTorch plugin, so the host can still
// set the variable; it does so only for a kernel that a child process, started with that
// kernel, has shown to compute correct products.
#pragma once

#include <functional>
#include <string>

#include "paddock/core/compute_environment.hpp"

namespace paddock::core {

// cblas_sgemm's C signature (OpenBLAS, 32-bit integers), so a test can pass a wrong one.
using CblasSgemm = void (*)(int order, int transpose_a, int transpose_b, int m, int n, int k,
                            float alpha, const float* a, int lda, const float* b, int ldb,
                            float beta, float* c, int ldc);

// Products checked against a float64 reference on fixed shapes (odd sizes, both transposes,
// beta 0 and 1), fixed pseudo-random inputs in [-1, 1].
struct SgemmCheck {
  bool correct = false;
  // Largest |c - reference| over sum_k |a_ik b_kj| (float32's rounding stays below 1e-6).
  double largest_error = 0.0;
  std::string problem;  // for an incorrect product: which shape and element
};
SgemmCheck check_sgemm(CblasSgemm sgemm);

// The OpenBLAS of a process: its kernel and whether its products are correct.
struct KernelProbe {
  bool ran = false;     // false: the probe failed (no OpenBLAS, the child crashed...)
  std::string kernel;   // openblas_get_corename()
  std::string config;   // openblas_get_config()
  SgemmCheck products;  // checked with `threads` threads
  std::string problem;  // why it did not run
};

// Loads OpenBLAS into this process (which must not need it for anything else: the kernel
// is fixed once loaded) and checks it. What `paddock blas-check` runs.
KernelProbe probe_openblas(int threads);

// Probes OpenBLAS in a fresh process with OPENBLAS_CORETYPE = `coretype` ("" = unset).
using ProbeKernel = std::function<KernelProbe(const std::string& coretype)>;

struct KernelChoice {
  std::string coretype;  // what to set OPENBLAS_CORETYPE to; "" = leave OpenBLAS's choice
  std::string note;      // for the log: what was found and done; "" when nothing to say
  bool warn = false;     // the note is a warning (a generic kernel is kept)
};

// On a CPU with AVX2 and FMA, asks `probe` which kernel OpenBLAS picks by itself; when that
// is a generic one, tries SkylakeX (AVX-512 CPUs) and then Haswell, and chooses the first
// that OpenBLAS accepts and whose products are correct. Never a kernel whose instructions
// the CPU lacks; never a kernel that failed its check.
KernelChoice choose_blas_kernel(const CpuVectorFeatures& cpu, const ProbeKernel& probe);

}  // namespace paddock::core
