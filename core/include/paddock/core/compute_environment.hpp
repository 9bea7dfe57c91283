// What the numbers of a run are computed with: the BLAS library LibTorch runs on and its
// kernel, and the CPU threads LibTorch gets. Torch-free: the BLAS is found among the
// libraries already loaded (a LibTorch plugin loads it), so the host can report it before
// any node runs, and warn when OpenBLAS fell back to generic kernels on a CPU that has
// faster ones (Debian 12's OpenBLAS 0.3.21 does not know every new CPU).
#pragma once

#include <optional>
#include <string>

namespace paddock::core {

struct BlasDescription {
  bool found = false;  // an OpenBLAS is loaded in this process
  std::string config;  // openblas_get_config(): "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ..."
  std::string kernel;  // openblas_get_corename(): "Zen", "Haswell", "Prescott", ...
};

// The OpenBLAS loaded in this process, if any (nothing is loaded by asking).
BlasDescription loaded_blas();

// How many intra-op threads LibTorch gets and why: PADDOCK_THREADS when set, else none chosen
// when OMP_NUM_THREADS is set (the user's), else the CPUs this process may run on.
struct ThreadChoice {
  int threads = 0;  // 0: left to OMP_NUM_THREADS
  std::string reason;
};
ThreadChoice torch_thread_choice();

// The CPU's vector instructions that matter for OpenBLAS's kernels (enabled by the OS too).
struct CpuVectorFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;  // AVX-512 F, CD, BW, DQ and VL: what OpenBLAS's SkylakeX kernels use
};

// Whether `kernel` (openblas_get_corename()) is one of OpenBLAS's generic x86 kernels from
// before AVX2, what DYNAMIC_ARCH falls back to on a CPU it does not recognise.
bool is_generic_blas_kernel(const std::string& kernel);
CpuVectorFeatures cpu_vector_features();

// A warning with the fix when `kernel` is one of OpenBLAS's generic x86 kernels while the
// CPU has AVX2 (Haswell kernels) or AVX-512 (SkylakeX): the fallback costs 2-5x in matrix
// products. None when the kernel fits, or the user chose it with OPENBLAS_CORETYPE.
std::optional<std::string> blas_kernel_warning(const std::string& kernel,
                                               const CpuVectorFeatures& cpu, bool chosen_by_user);

// A note (not a warning: the user asked for it) when OPENBLAS_CORETYPE chose a kernel for
// narrower vectors than the CPU has: a generic one on an AVX2 CPU, or an AVX2 one (Haswell,
// Zen) on an AVX-512 CPU. None otherwise.
std::optional<std::string> chosen_blas_kernel_note(const std::string& kernel,
                                                   const CpuVectorFeatures& cpu,
                                                   bool chosen_by_user);

// One line for a run's log: "OpenBLAS 0.3.21 ... (kernel Zen), 2 threads (CPU affinity)".
std::string describe_compute(const BlasDescription& blas, const ThreadChoice& threads);

}  // namespace paddock::core
