// sampling_lanes: the lane count and the threads that run lanes side by side.
#include "sampling_lanes.hpp"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

// LibTorch's OpenMP runtime (GNU libgomp, or the copy a PyTorch wheel bundles): resolved from
// LibTorch's own dependencies when present, null in a LibTorch built without OpenMP.
extern "C" __attribute__((weak)) void omp_set_num_threads(int threads);

namespace paddock::transformer::sampling {
namespace {

// OpenBLAS built with OpenMP keeps one thread count for the whole process and lowers it to
// the calling thread's OpenMP count; once at 1 it never raises it again, so single-threaded
// lanes would leave every later product on one thread. This restores the count afterwards.
class OpenBlasThreadCount {
 public:
  OpenBlasThreadCount() {
    library_ = ::dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
    if (library_ == nullptr) return;
    get_ = reinterpret_cast<int (*)()>(::dlsym(library_, "openblas_get_num_threads"));
    set_ = reinterpret_cast<void (*)(int)>(::dlsym(library_, "openblas_set_num_threads"));
    if (get_ != nullptr) saved_ = get_();
  }
  ~OpenBlasThreadCount() {
    if (set_ != nullptr && saved_ > 0) set_(saved_);
    if (library_ != nullptr) ::dlclose(library_);  // drops NOLOAD's reference only
  }
  OpenBlasThreadCount(const OpenBlasThreadCount&) = delete;
  OpenBlasThreadCount& operator=(const OpenBlasThreadCount&) = delete;

 private:
  void* library_ = nullptr;
  int (*get_)() = nullptr;
  void (*set_)(int) = nullptr;
  int saved_ = 0;
};

}  // namespace

std::size_t lane_count(std::int64_t batch_size, std::size_t prompts) {
  return batch_size >= static_cast<std::int64_t>(2 * kRowsPerLane) && prompts >= 2 ? 2 : 1;
}

void run_lanes(std::size_t count, const std::function<void(std::size_t lane)>& lane) {
  const int threads = at::get_num_threads();
  std::vector<std::exception_ptr> failures(count);
  const auto run = [&](std::size_t index) {
    try {
      lane(index);
    } catch (...) {
      failures[index] = std::current_exception();
    }
  };
  if (count < 2 || threads < 2 || omp_set_num_threads == nullptr) {
    for (std::size_t index = 0; index < count; ++index) run(index);
  } else {
    const int per_lane = std::max(1, threads / static_cast<int>(count));
    OpenBlasThreadCount restore_blas_threads;
    std::vector<std::thread> workers;
    workers.reserve(count);
    for (std::size_t index = 0; index < count; ++index) {
      workers.emplace_back([&, index] {
        // A new thread takes LibTorch's thread count on its first parallel op; take it
        // first, then lower this thread's own OpenMP count (OpenMP keeps one per thread).
        // (get_num_threads inits LibTorch's copy of the flag, lazy_init this library's.)
        (void)at::get_num_threads();
        at::internal::lazy_init_num_threads();
        omp_set_num_threads(per_lane);
        run(index);
      });
    }
    for (std::thread& worker : workers) worker.join();
  }
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

}  // namespace paddock::transformer::sampling
