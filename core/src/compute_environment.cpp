// compute_environment: OpenBLAS's own report of itself (openblas_get_config and
// openblas_get_corename, looked up in the already loaded library), the thread choice, and
// the CPU's features from the compiler's cpuid builtins.
#include "paddock/core/compute_environment.hpp"

#include <dlfcn.h>
#include <sched.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace paddock::core {

BlasDescription loaded_blas() {
  BlasDescription description;
  // RTLD_NOLOAD: a handle only when a plugin's LibTorch already loaded it.
  void* library = ::dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
  if (library == nullptr) return description;
  using Text = char* (*)();
  const auto config = reinterpret_cast<Text>(::dlsym(library, "openblas_get_config"));
  const auto kernel = reinterpret_cast<Text>(::dlsym(library, "openblas_get_corename"));
  description.found = true;
  if (config != nullptr && config() != nullptr) description.config = config();
  if (kernel != nullptr && kernel() != nullptr) description.kernel = kernel();
  ::dlclose(library);  // drops the reference NOLOAD took; the library stays loaded
  return description;
}

ThreadChoice torch_thread_choice() {
  if (const char* text = std::getenv("PADDOCK_THREADS"); text != nullptr && std::atoi(text) > 0)
    return {std::atoi(text), "PADDOCK_THREADS"};
  if (std::getenv("OMP_NUM_THREADS") != nullptr) return {0, "OMP_NUM_THREADS"};
  cpu_set_t set;
  const int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  return {std::max(1, cpus), "the CPUs this process may use"};
}

CpuVectorFeatures cpu_vector_features() {
  CpuVectorFeatures features;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  features.avx2 = __builtin_cpu_supports("avx2");
  features.fma = __builtin_cpu_supports("fma");
  features.avx512f = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                     __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                     __builtin_cpu_supports("avx512vl");
#endif
  return features;
}

namespace {

// OpenBLAS's kernel names are matched without regard to case ("Haswell", "HASWELL").
std::string lower_case(const std::string& kernel) {
  std::string name = kernel;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

}  // namespace

bool is_generic_blas_kernel(const std::string& kernel) {
  const std::string name = lower_case(kernel);
  static const char* const generic[] = {"prescott",  "core2",  "penryn",  "dunnington",
                                        "nehalem",   "atom",   "katmai",  "coppermine",
                                        "northwood", "banias", "opteron", "barcelona"};
  return std::find(std::begin(generic), std::end(generic), name) != std::end(generic);
}

std::optional<std::string> blas_kernel_warning(const std::string& kernel,
                                               const CpuVectorFeatures& cpu, bool chosen_by_user) {
  const bool is_generic = is_generic_blas_kernel(kernel);
  if (chosen_by_user || !is_generic || !(cpu.avx2 && cpu.fma)) return std::nullopt;
  const std::string better = cpu.avx512f ? "SkylakeX" : "Haswell";
  return "OpenBLAS runs its generic '" + kernel + "' kernels on this CPU, which has " +
         (cpu.avx512f ? "AVX-512" : "AVX2") +
         ": matrix products run 2-5x slower than they could. Set OPENBLAS_CORETYPE=" + better +
         " before running Paddock (docs/performance.md, \"The BLAS\")";
}

std::optional<std::string> chosen_blas_kernel_note(const std::string& kernel,
                                                   const CpuVectorFeatures& cpu,
                                                   bool chosen_by_user) {
  if (!chosen_by_user || !(cpu.avx2 && cpu.fma)) return std::nullopt;
  const std::string name = lower_case(kernel);
  const bool avx2_kernel = name == "haswell" || name == "zen";
  const bool narrower = is_generic_blas_kernel(kernel) || (cpu.avx512f && avx2_kernel);
  if (!narrower) return std::nullopt;
  return "OPENBLAS_CORETYPE, set in the environment, runs OpenBLAS's '" + kernel +
         "' kernels on this CPU, which has " + (cpu.avx512f ? "AVX-512" : "AVX2") +
         "; unset it to let OpenBLAS pick (docs/performance.md, \"The BLAS\")";
}

std::string describe_compute(const BlasDescription& blas, const ThreadChoice& threads) {
  std::string text;
  if (!blas.found) {
    text = "no OpenBLAS loaded (LibTorch's BLAS unknown)";
  } else {
    text = (blas.config.empty() ? std::string("OpenBLAS") : blas.config) + " (kernel " +
           (blas.kernel.empty() ? std::string("unknown") : blas.kernel) + ")";
  }
  if (threads.threads > 0) {
    text += ", " + std::to_string(threads.threads) + " LibTorch thread" +
            (threads.threads == 1 ? "" : "s") + " (" + threads.reason + ")";
  } else {
    text += ", LibTorch threads from " + threads.reason;
  }
  return text;
}

}  // namespace paddock::core
