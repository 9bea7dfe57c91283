// Sampling lanes: how many a sampler uses, and that run_lanes runs every lane once, each
// with its share of the intra-op threads, gives the caller back its threads (LibTorch's
// and OpenBLAS's) and passes a lane's exception on.
#include "sampling_lanes.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace paddock::transformer::sampling {
namespace {

int openblas_threads() {
  void* library = ::dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
  if (library == nullptr) return -1;
  const auto get = reinterpret_cast<int (*)()>(::dlsym(library, "openblas_get_num_threads"));
  const int threads = get != nullptr ? get() : -1;
  ::dlclose(library);
  return threads;
}

TEST(SamplingLanes, TwoLanesOnlyWhenEachKeepsSixteenRowsAndAPrompt) {
  EXPECT_EQ(lane_count(64, 805), 2u);
  EXPECT_EQ(lane_count(32, 2), 2u);
  EXPECT_EQ(lane_count(31, 805), 1u);
  EXPECT_EQ(lane_count(16, 805), 1u);
  EXPECT_EQ(lane_count(64, 1), 1u);
}

TEST(SamplingLanes, EachLaneRunsOnceOnOneThreadAndTheCallerKeepsItsThreads) {
  torch::set_num_threads(2);
  const auto a = torch::randn({256, 256});
  (void)torch::mm(a, a);  // OpenBLAS loaded and running on two threads
  const int blas_before = openblas_threads();
  std::mutex mutex;
  std::set<std::size_t> ran;
  std::set<std::thread::id> thread_ids;
  int widest = 0;
  run_lanes(2, [&](std::size_t lane) {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < 20; ++i) (void)torch::gelu(torch::mm(a, a)).sum();  // LibTorch's own ops
    at::parallel_for(0, 1000, 1, [](std::int64_t, std::int64_t) {});
    const int threads = at::get_num_threads();
    std::lock_guard<std::mutex> lock(mutex);
    widest = std::max(widest, threads);
    ran.insert(lane);
    thread_ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(ran, (std::set<std::size_t>{0, 1}));
  EXPECT_EQ(thread_ids.size(), 2u);  // side by side
  EXPECT_EQ(widest, 1);              // one intra-op thread per lane, after LibTorch's ops
  EXPECT_EQ(at::get_num_threads(), 2);
  EXPECT_EQ(openblas_threads(), blas_before);
  torch::set_num_threads(1);
}

TEST(SamplingLanes, OneThreadRunsTheLanesInTurnOnTheCaller) {
  torch::set_num_threads(1);
  std::vector<std::size_t> order;
  std::set<std::thread::id> thread_ids;
  run_lanes(3, [&](std::size_t lane) {
    order.push_back(lane);
    thread_ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(thread_ids, (std::set<std::thread::id>{std::this_thread::get_id()}));
}

TEST(SamplingLanes, ALaneThatThrowsIsRethrownAfterTheOthersFinish) {
  for (const int threads : {1, 2}) {
    torch::set_num_threads(threads);
    std::atomic<int> finished{0};
    try {
      run_lanes(2, [&](std::size_t lane) {
        if (lane == 1) throw std::runtime_error("lane 1 failed");
        ++finished;
      });
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& error) {
      EXPECT_STREQ(error.what(), "lane 1 failed");
    }
    EXPECT_EQ(finished.load(), 1);
  }
  torch::set_num_threads(1);
}

}  // namespace
}  // namespace paddock::transformer::sampling
