// Choosing OpenBLAS's kernel: the product check catches wrong sgemm implementations, and
// the choice takes only a kernel the CPU can run that OpenBLAS accepted and that passed the
// check, and only when OpenBLAS's own pick is a generic one.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "paddock/core/blas_kernel_choice.hpp"

namespace paddock::core {
namespace {

// A plain row-major cblas_sgemm, and the mistakes a broken kernel makes.
enum class Flaw { none, ignores_beta, ignores_transpose, drifts_when_large, nan_at_edge };
Flaw g_flaw = Flaw::none;

void reference_sgemm(int /*order*/, int transpose_a, int transpose_b, int m, int n, int k,
                     float alpha, const float* a, int lda, const float* b, int ldb, float beta,
                     float* c, int ldc) {
  const bool ta = transpose_a == 112 && g_flaw != Flaw::ignores_transpose;
  const bool tb = transpose_b == 112;
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0.0F;
      for (int p = 0; p < k; ++p) {
        const float x = ta ? a[p * lda + i] : a[i * lda + p];
        const float y = tb ? b[j * ldb + p] : b[p * ldb + j];
        sum += x * y;
      }
      const float previous = g_flaw == Flaw::ignores_beta ? 0.0F : beta * c[i * ldc + j];
      c[i * ldc + j] = alpha * sum + previous;
      if (g_flaw == Flaw::drifts_when_large && m > 300 && i == m - 1 && j == n - 1)
        c[i * ldc + j] *= 1.001F;
      if (g_flaw == Flaw::nan_at_edge && m == 129 && i == 128 && j == 0) c[i * ldc + j] = NAN;
    }
  }
}

SgemmCheck check_with(Flaw flaw) {
  g_flaw = flaw;
  const SgemmCheck check = check_sgemm(reference_sgemm);
  g_flaw = Flaw::none;
  return check;
}

TEST(BlasKernelChoice, ACorrectProductPassesItsCheck) {
  const SgemmCheck check = check_with(Flaw::none);
  EXPECT_TRUE(check.correct) << check.problem;
  EXPECT_LT(check.largest_error, 1e-6);
  EXPECT_TRUE(check.problem.empty());
}

TEST(BlasKernelChoice, WrongProductsFailTheirCheckAndSayWhere) {
  for (const Flaw flaw :
       {Flaw::ignores_beta, Flaw::ignores_transpose, Flaw::drifts_when_large, Flaw::nan_at_edge}) {
    const SgemmCheck check = check_with(flaw);
    EXPECT_FALSE(check.correct) << static_cast<int>(flaw);
    EXPECT_NE(check.problem.find("product, element ("), std::string::npos) << check.problem;
  }
  EXPECT_NE(check_with(Flaw::drifts_when_large).problem.find("384x96x1024"), std::string::npos);
}

// A fake OpenBLAS: the kernel it picks by itself, and per kernel what a probe finds.
struct FakeOpenBlas {
  std::string own_kernel;
  std::map<std::string, KernelProbe> forced;
  std::vector<std::string> asked;

  ProbeKernel probe() {
    return [this](const std::string& coretype) {
      asked.push_back(coretype);
      if (coretype.empty()) return ran(own_kernel, true);
      const auto found = forced.find(coretype);
      return found != forced.end() ? found->second : ran(coretype, true);
    };
  }
  static KernelProbe ran(const std::string& kernel, bool correct) {
    KernelProbe probe;
    probe.ran = true;
    probe.kernel = kernel;
    probe.products.correct = correct;
    probe.products.largest_error = correct ? 2e-7 : 0.5;
    if (!correct) probe.products.problem = "64x64x64 product, element (3, 4): 1 instead of 2";
    return probe;
  }
};

const CpuVectorFeatures kAvx512{true, true, true}, kAvx2{true, true, false}, kOld{};

TEST(BlasKernelChoice, AGenericKernelOnAnAvx512CpuBecomesSkylakeXOnceChecked) {
  FakeOpenBlas blas{"Prescott"};
  const KernelChoice choice = choose_blas_kernel(kAvx512, blas.probe());
  EXPECT_EQ(choice.coretype, "SkylakeX");
  EXPECT_FALSE(choice.warn);
  EXPECT_NE(choice.note.find("generic 'Prescott'"), std::string::npos) << choice.note;
  EXPECT_NE(choice.note.find("OPENBLAS_CORETYPE=SkylakeX"), std::string::npos) << choice.note;
  EXPECT_EQ(blas.asked, (std::vector<std::string>{"", "SkylakeX"}));
}

TEST(BlasKernelChoice, AKernelThatFailsItsCheckIsNeverChosen) {
  FakeOpenBlas blas{"Prescott"};
  blas.forced["SkylakeX"] = FakeOpenBlas::ran("SkylakeX", false);
  KernelChoice choice = choose_blas_kernel(kAvx512, blas.probe());
  EXPECT_EQ(choice.coretype, "Haswell");  // the next candidate passed

  blas.forced["Haswell"] = KernelProbe{};  // its probe crashed
  blas.forced["Haswell"].problem = "the check was killed by Illegal instruction";
  choice = choose_blas_kernel(kAvx512, blas.probe());
  EXPECT_EQ(choice.coretype, "");
  EXPECT_TRUE(choice.warn);
  EXPECT_NE(choice.note.find("SkylakeX: wrong products: 64x64x64"), std::string::npos)
      << choice.note;
  EXPECT_NE(choice.note.find("Haswell: the check was killed"), std::string::npos) << choice.note;
}

TEST(BlasKernelChoice, AKernelOpenBlasDoesNotTakeIsNotChosen) {
  FakeOpenBlas blas{"Nehalem"};
  blas.forced["Haswell"] = FakeOpenBlas::ran("Nehalem", true);  // OPENBLAS_CORETYPE ignored
  const KernelChoice choice = choose_blas_kernel(kAvx2, blas.probe());
  EXPECT_EQ(choice.coretype, "");
  EXPECT_NE(choice.note.find("OpenBLAS ran 'Nehalem' instead"), std::string::npos) << choice.note;
  EXPECT_EQ(blas.asked, (std::vector<std::string>{"", "Haswell"}));  // no SkylakeX on AVX2
}

TEST(BlasKernelChoice, AFittingKernelOrAnOldCpuIsLeftAlone) {
  FakeOpenBlas zen{"Zen"};
  EXPECT_EQ(choose_blas_kernel(kAvx2, zen.probe()).note, "");
  EXPECT_EQ(zen.asked.size(), 1u);
  FakeOpenBlas old{"Prescott"};
  EXPECT_EQ(choose_blas_kernel(kOld, old.probe()).coretype, "");
  EXPECT_TRUE(old.asked.empty());  // nothing faster to choose: not even probed
}

}  // namespace
}  // namespace paddock::core
