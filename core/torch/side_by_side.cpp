// run_side_by_side: worker threads with their own OpenMP thread counts.
#include "paddock/torch/side_by_side.hpp"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

// LibTorch's OpenMP runtime (GNU libgomp, or the copy a PyTorch wheel bundles): resolved from
// LibTorch's own dependencies when present, null in a LibTorch built without OpenMP.
extern "C" __attribute__((weak)) void omp_set_num_threads(int threads);

namespace paddock {
namespace {

// OpenBLAS built with OpenMP keeps one thread count for the whole process and lowers it to
// the calling thread's OpenMP count; once at 1 it never raises it again, so single-threaded
// workers would leave every later product on one thread. This restores the count afterwards.
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

// Worker threads kept for the life of the process. A fresh thread's first LibTorch call
// sets up its thread count, and LibTorch 1.13 then rebuilds its pthreadpool: about 8 ms, too
// much to pay for every training step. A worker pays it once.
class WorkerPool {
 public:
  static WorkerPool& instance() {
    static WorkerPool* pool = new WorkerPool;  // never destroyed: its threads wait to the end
    return *pool;
  }

  // Runs `job` on `count` workers at once, each with `threads_each` OpenMP threads; returns
  // when every one has returned. False, running nothing, when another caller has the pool.
  bool try_run(std::size_t count, int threads_each, const std::function<void()>& job) {
    std::unique_lock<std::mutex> use(in_use_, std::try_to_lock);
    if (!use.owns_lock()) return false;
    std::unique_lock<std::mutex> lock(mutex_);
    for (; started_ < count; ++started_)
      std::thread([this, index = started_] { serve(index); }).detach();
    job_ = &job;
    threads_each_ = threads_each;
    active_ = count;
    pending_ = count;
    ++generation_;
    wake_.notify_all();
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
    return true;
  }

 private:
  void serve(std::size_t index) {
    // Take LibTorch's thread setup now, once (get_num_threads inits LibTorch's copy of the
    // flag, lazy_init this library's).
    (void)at::get_num_threads();
    at::internal::lazy_init_num_threads();
    std::uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      if (index >= active_) continue;
      const std::function<void()>* job = job_;
      const int threads = threads_each_;
      lock.unlock();
      omp_set_num_threads(threads);  // OpenMP keeps a count per thread
      (*job)();
      lock.lock();
      if (--pending_ == 0) done_.notify_all();
    }
  }

  std::mutex in_use_;  // one caller at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::size_t started_ = 0;  // worker threads, detached: they serve to the end
  const std::function<void()>* job_ = nullptr;
  int threads_each_ = 1;
  std::size_t active_ = 0, pending_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace

void run_side_by_side(std::size_t count, const std::function<void(std::size_t piece)>& piece) {
  const int threads = at::get_num_threads();
  std::vector<std::exception_ptr> failures(count);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  const std::function<void()> take_pieces = [&] {
    for (std::size_t index = next++; index < count && !failed; index = next++) {
      try {
        piece(index);
      } catch (...) {
        failures[index] = std::current_exception();
        failed = true;
      }
    }
  };
  const std::size_t workers = std::min(count, static_cast<std::size_t>(std::max(threads, 1)));
  bool ran = false;
  if (workers >= 2 && omp_set_num_threads != nullptr) {
    const int per_worker = std::max(1, threads / static_cast<int>(workers));
    OpenBlasThreadCount restore_blas_threads;
    ran = WorkerPool::instance().try_run(workers, per_worker, take_pieces);
  }
  if (!ran) take_pieces();  // one thread, no OpenMP, or the pool is busy: in turn, here
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

void run_pieces(std::size_t count, const std::function<void(std::size_t piece)>& piece,
                bool side_by_side) {
  if (side_by_side) {
    run_side_by_side(count, piece);
  } else {
    for (std::size_t index = 0; index < count; ++index) piece(index);
  }
}

}  // namespace paddock
