// The compute report: which BLAS kernel warnings fire (a generic OpenBLAS kernel on a CPU
// with AVX2 or AVX-512, never when the user chose it or the kernel fits), the thread choice,
// and the log line.
#include <gtest/gtest.h>

#include <cstdlib>

#include "paddock/core/compute_environment.hpp"

namespace paddock::core {
namespace {

TEST(ComputeEnvironment, AGenericKernelOnACapableCpuIsAWarningWithTheFix) {
  const CpuVectorFeatures avx512{true, true, true}, avx2{true, true, false}, old{};
  const auto on_avx512 = blas_kernel_warning("Prescott", avx512, /*chosen_by_user=*/false);
  ASSERT_TRUE(on_avx512.has_value());
  EXPECT_NE(on_avx512->find("generic 'Prescott' kernels"), std::string::npos) << *on_avx512;
  EXPECT_NE(on_avx512->find("OPENBLAS_CORETYPE=SkylakeX"), std::string::npos) << *on_avx512;
  const auto on_avx2 = blas_kernel_warning("Nehalem", avx2, false);
  ASSERT_TRUE(on_avx2.has_value());
  EXPECT_NE(on_avx2->find("OPENBLAS_CORETYPE=Haswell"), std::string::npos) << *on_avx2;
  // A kernel that fits, a CPU without the instructions, or the user's own choice: silence.
  EXPECT_FALSE(blas_kernel_warning("Zen", avx2, false));
  EXPECT_FALSE(blas_kernel_warning("Haswell", avx512, false));
  EXPECT_FALSE(blas_kernel_warning("SkylakeX", avx512, false));
  EXPECT_FALSE(blas_kernel_warning("Prescott", old, false));
  EXPECT_FALSE(blas_kernel_warning("Prescott", avx512, /*chosen_by_user=*/true));
}

// The user's OPENBLAS_CORETYPE is kept, with a note when it is narrower than the CPU.
TEST(ComputeEnvironment, AChosenKernelNarrowerThanTheCpuGetsANote) {
  const CpuVectorFeatures avx512{true, true, true}, avx2{true, true, false}, old{};
  const auto haswell = chosen_blas_kernel_note("Haswell", avx512, /*chosen_by_user=*/true);
  ASSERT_TRUE(haswell.has_value());
  EXPECT_NE(haswell->find("'Haswell' kernels on this CPU, which has AVX-512"), std::string::npos)
      << *haswell;
  EXPECT_NE(haswell->find("unset it"), std::string::npos) << *haswell;
  EXPECT_TRUE(chosen_blas_kernel_note("Zen", avx512, true));
  EXPECT_TRUE(chosen_blas_kernel_note("Prescott", avx2, true));
  // Not chosen by the user, a kernel that fits, or a CPU with nothing wider: silence.
  EXPECT_FALSE(chosen_blas_kernel_note("Haswell", avx512, /*chosen_by_user=*/false));
  EXPECT_FALSE(chosen_blas_kernel_note("Haswell", avx2, true));
  EXPECT_FALSE(chosen_blas_kernel_note("SkylakeX", avx512, true));
  EXPECT_FALSE(chosen_blas_kernel_note("Cooperlake", avx512, true));
  EXPECT_FALSE(chosen_blas_kernel_note("Prescott", old, true));
}

TEST(ComputeEnvironment, ThreadsComeFromPaddockThreadsThenOmpThenTheCpus) {
  const char* saved_paddock = std::getenv("PADDOCK_THREADS");
  const char* saved_omp = std::getenv("OMP_NUM_THREADS");
  const std::string paddock_value = saved_paddock ? saved_paddock : "";
  const std::string omp_value = saved_omp ? saved_omp : "";
  ::setenv("PADDOCK_THREADS", "3", 1);
  EXPECT_EQ(torch_thread_choice().threads, 3);
  EXPECT_EQ(torch_thread_choice().reason, "PADDOCK_THREADS");
  ::unsetenv("PADDOCK_THREADS");
  ::setenv("OMP_NUM_THREADS", "5", 1);
  EXPECT_EQ(torch_thread_choice().threads, 0);  // left to OpenMP
  ::unsetenv("OMP_NUM_THREADS");
  EXPECT_GE(torch_thread_choice().threads, 1);
  if (saved_paddock) ::setenv("PADDOCK_THREADS", paddock_value.c_str(), 1);
  if (saved_omp) ::setenv("OMP_NUM_THREADS", omp_value.c_str(), 1);
}

TEST(ComputeEnvironment, TheLogLineNamesTheBlasItsKernelAndTheThreads) {
  BlasDescription blas;
  blas.found = true;
  blas.config = "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64";
  blas.kernel = "Zen";
  EXPECT_EQ(describe_compute(blas, {2, "the CPUs this process may use"}),
            "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64 (kernel Zen), 2 LibTorch "
            "threads (the CPUs this process may use)");
  EXPECT_EQ(describe_compute(BlasDescription{}, {0, "OMP_NUM_THREADS"}),
            "no OpenBLAS loaded (LibTorch's BLAS unknown), LibTorch threads from "
            "OMP_NUM_THREADS");
  // core_tests loads no LibTorch plugin, so no OpenBLAS is found (and none is loaded by
  // looking).
  EXPECT_FALSE(loaded_blas().found);
}

}  // namespace
}  // namespace paddock::core
