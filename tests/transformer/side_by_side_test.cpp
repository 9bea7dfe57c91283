// run_side_by_side: every piece runs once, each worker with its share of the intra-op
// threads; the caller gets its threads back (LibTorch's and OpenBLAS's); a piece's exception
// is passed on.
#include "paddock/torch/side_by_side.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace paddock {
namespace {

int openblas_threads() {
  void* library = ::dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
  if (library == nullptr) return -1;
  const auto get = reinterpret_cast<int (*)()>(::dlsym(library, "openblas_get_num_threads"));
  const int threads = get != nullptr ? get() : -1;
  ::dlclose(library);
  return threads;
}

TEST(SideBySide, EachPieceRunsOnceOnOneThreadAndTheCallerKeepsItsThreads) {
  torch::set_num_threads(2);
  const auto a = torch::randn({256, 256});
  (void)torch::mm(a, a);  // OpenBLAS loaded and running on two threads
  const int blas_before = openblas_threads();
  std::mutex mutex;
  std::set<std::size_t> ran;
  std::set<std::thread::id> thread_ids;
  int widest = 0;
  run_side_by_side(2, [&](std::size_t piece) {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < 20; ++i) (void)torch::gelu(torch::mm(a, a)).sum();  // LibTorch's own ops
    at::parallel_for(0, 1000, 1, [](std::int64_t, std::int64_t) {});
    const int threads = at::get_num_threads();
    std::lock_guard<std::mutex> lock(mutex);
    widest = std::max(widest, threads);
    ran.insert(piece);
    thread_ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(ran, (std::set<std::size_t>{0, 1}));
  EXPECT_EQ(thread_ids.size(), 2u);  // side by side
  EXPECT_EQ(widest, 1);              // one intra-op thread per piece, after LibTorch's ops
  EXPECT_EQ(at::get_num_threads(), 2);
  EXPECT_EQ(openblas_threads(), blas_before);
  torch::set_num_threads(1);
}

TEST(SideBySide, OneThreadRunsThePiecesInTurnOnTheCaller) {
  torch::set_num_threads(1);
  std::vector<std::size_t> order;
  std::set<std::thread::id> thread_ids;
  run_side_by_side(3, [&](std::size_t piece) {
    order.push_back(piece);
    thread_ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(thread_ids, (std::set<std::thread::id>{std::this_thread::get_id()}));
}

TEST(SideBySide, APieceThatThrowsIsRethrownAfterTheRunningOnesFinish) {
  for (const int threads : {1, 2}) {
    torch::set_num_threads(threads);
    std::atomic<int> finished{0};
    try {
      run_side_by_side(2, [&](std::size_t piece) {
        if (piece == 1) throw std::runtime_error("piece 1 failed");
        ++finished;
      });
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& error) {
      EXPECT_STREQ(error.what(), "piece 1 failed");
    }
    EXPECT_EQ(finished.load(), 1);
  }
  torch::set_num_threads(1);
}

TEST(SideBySide, MorePiecesThanThreadsShareTwoWorkers) {
  torch::set_num_threads(2);
  std::mutex mutex;
  std::vector<int> runs(7, 0);
  std::set<std::thread::id> thread_ids;
  int widest = 0;
  run_side_by_side(runs.size(), [&](std::size_t piece) {
    const int threads = at::get_num_threads();
    std::lock_guard<std::mutex> lock(mutex);
    ++runs[piece];
    widest = std::max(widest, threads);
    thread_ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(runs, std::vector<int>(7, 1));
  EXPECT_LE(thread_ids.size(), 2u);  // two workers, not one thread per piece
  EXPECT_EQ(thread_ids.count(std::this_thread::get_id()), 0u);
  EXPECT_EQ(widest, 1);
  EXPECT_EQ(at::get_num_threads(), 2);
  torch::set_num_threads(1);
}

TEST(SideBySide, NoNewPieceStartsAfterOneThrows) {
  torch::set_num_threads(1);
  std::vector<std::size_t> ran;
  EXPECT_THROW(run_side_by_side(4,
                                [&](std::size_t piece) {
                                  ran.push_back(piece);
                                  if (piece == 1) throw std::runtime_error("piece 1 failed");
                                }),
               std::runtime_error);
  EXPECT_EQ(ran, (std::vector<std::size_t>{0, 1}));
}

// run_pieces: side by side when asked; otherwise every piece in order on the caller, with its
// intra-op threads (what a GPU caller gets).
TEST(SideBySide, RunPiecesRunsInTurnOnTheCallerWhenNotSideBySide) {
  torch::set_num_threads(2);
  std::vector<std::size_t> order;
  std::set<std::thread::id> thread_ids;
  int narrowest = 2;
  run_pieces(
      3,
      [&](std::size_t piece) {
        order.push_back(piece);
        thread_ids.insert(std::this_thread::get_id());
        narrowest = std::min(narrowest, at::get_num_threads());
      },
      /*side_by_side=*/false);
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(thread_ids, std::set<std::thread::id>{std::this_thread::get_id()});
  EXPECT_EQ(narrowest, 2);

  std::mutex mutex;
  std::set<std::thread::id> workers;
  run_pieces(
      2,
      [&](std::size_t) {
        std::lock_guard<std::mutex> lock(mutex);
        workers.insert(std::this_thread::get_id());
      },
      /*side_by_side=*/true);
  EXPECT_EQ(workers.count(std::this_thread::get_id()), 0u);
  torch::set_num_threads(1);
}

}  // namespace
}  // namespace paddock
