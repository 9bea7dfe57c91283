// Data-parallel training with real processes on 127.0.0.1: two ranks end with the weights
// of one process with the same global batch (SFT, one PPO step), and a rank that dies makes
// the survivor stop with a clear error within the timeout instead of hanging.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>

#include "rank_processes.hpp"

namespace paddock {
namespace {

using testing::run_ranks;
using testing::TempDir;

const std::string kWorker = DISTRIBUTED_WORKER;
const std::vector<std::string> kOneThread = {"PADDOCK_THREADS=1", "PADDOCK_DISTRIBUTED_TIMEOUT=20"};

std::vector<torch::Tensor> load_weights(const std::filesystem::path& file) {
  std::vector<torch::Tensor> weights;
  torch::load(weights, file.string());
  return weights;
}

// The largest absolute difference between two weight lists of the same shapes.
double largest_difference(const std::vector<torch::Tensor>& a,
                          const std::vector<torch::Tensor>& b) {
  EXPECT_EQ(a.size(), b.size());
  double largest = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    largest = std::max(largest, (a[i] - b[i]).abs().max().item<double>());
  return largest;
}

// How many elements of two weight lists differ by more than `tolerance`, and of how many.
std::pair<std::int64_t, std::int64_t> count_beyond(const std::vector<torch::Tensor>& a,
                                                   const std::vector<torch::Tensor>& b,
                                                   double tolerance) {
  std::int64_t beyond = 0, all = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    beyond += (a[i] - b[i]).abs().gt(tolerance).sum().item<std::int64_t>();
    all += a[i].numel();
  }
  return {beyond, all};
}

// Trains with one process and with two, and compares every rank's final weights. The two
// round differently (their products and sums split the rows differently), and AdamW divides
// each step by the gradient's running RMS, so an element whose gradient stays near zero can
// turn a rounding difference into a step-sized one: one element in ten thousand may differ by
// more than `tolerance`, none by 10x it.
void expect_two_ranks_match_one(const std::string& mode, double tolerance) {
  TempDir one, two;
  const auto alone = run_ranks(kWorker, {mode, one.path().string()}, 1, one.path() / "logs",
                               std::chrono::seconds(120), kOneThread);
  ASSERT_EQ(alone[0].exit_code, 0) << alone[0].output;
  const auto pair = run_ranks(kWorker, {mode, two.path().string()}, 2, two.path() / "logs",
                              std::chrono::seconds(120), kOneThread);
  ASSERT_EQ(pair[0].exit_code, 0) << pair[0].output;
  ASSERT_EQ(pair[1].exit_code, 0) << pair[1].output;

  const auto reference = load_weights(one.path() / "weights-rank-0.pt");
  const auto rank0 = load_weights(two.path() / "weights-rank-0.pt");
  const auto rank1 = load_weights(two.path() / "weights-rank-1.pt");
  const auto start = load_weights(one.path() / "weights-start.pt");
  // Training must have moved the weights, or the comparison below would prove nothing.
  const double moved = largest_difference(start, reference);
  EXPECT_GT(moved, 20 * tolerance);
  const double gap = largest_difference(reference, rank0);
  EXPECT_LT(gap, 10 * tolerance) << "weights moved by up to " << moved;
  const auto [beyond, all] = count_beyond(reference, rank0, tolerance);
  EXPECT_LE(beyond, std::max<std::int64_t>(1, all / 10000)) << beyond << " of " << all;
  std::cout << mode << ": training moved weights by up to " << moved
            << "; two ranks differ from one process by up to " << gap << "\n";
  EXPECT_EQ(largest_difference(rank0, rank1), 0.0) << "the ranks must hold identical weights";
}

TEST(DistributedTraining, TwoRanksEndWithTheWeightsOfOneProcessForSft) {
  expect_two_ranks_match_one("sft", 2e-5);
}

TEST(DistributedTraining, TwoRanksEndWithTheWeightsOfOneProcessForAPpoStep) {
  expect_two_ranks_match_one("ppo", 2e-5);
}

TEST(DistributedTraining, AKilledRankMakesTheOtherFailFastWithAClearError) {
  TempDir directory;
  std::vector<std::string> environment = {"PADDOCK_THREADS=1", "PADDOCK_DISTRIBUTED_TIMEOUT=10"};
  const auto ranks = run_ranks(kWorker, {"sft-die", directory.path().string()}, 2,
                               directory.path() / "logs", std::chrono::seconds(60), environment);
  EXPECT_EQ(ranks[1].exit_code, 128 + SIGKILL) << ranks[1].output;
  EXPECT_EQ(ranks[0].exit_code, 1) << ranks[0].output;
  // Well within the 10 s timeout: the dead rank's closed connections are noticed at once.
  EXPECT_LT(ranks[0].seconds - ranks[1].seconds, 10.0);
  EXPECT_NE(ranks[0].output.find("node 'sft', rank 0 of 2"), std::string::npos) << ranks[0].output;
  EXPECT_NE(ranks[0].output.find("failed"), std::string::npos) << ranks[0].output;
  EXPECT_NE(ranks[0].output.find("Another rank probably failed or was killed"), std::string::npos)
      << ranks[0].output;
}

}  // namespace
}  // namespace paddock
