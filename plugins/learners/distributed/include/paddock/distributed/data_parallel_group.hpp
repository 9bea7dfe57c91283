// The ranks of a distributed run as a torch.distributed (c10d) process group, for the
// learners that train data-parallel: Gloo for CPU tensors, NCCL for CUDA tensors when
// Paddock was built with it. Rendezvous goes through a TCPStore at MASTER_ADDR:MASTER_PORT
// (rank 0 hosts it, or torchrun's agent does when TORCHELASTIC_USE_AGENT_STORE=True).
//
// A group is made for one run of one node and lives as long as it trains. In a run of one
// process it is a group of one that never communicates, so a learner uses one code path.
// Errors (a rank that died, a collective that timed out) become paddock::Error naming the
// node, the rank and the operation. See docs/distributed.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "paddock/context.hpp"

namespace paddock::distributed {

class DataParallelGroup {
 public:
  // Joins the other ranks running this node; `device` picks the backend (CPU: Gloo, CUDA:
  // NCCL). Reads MASTER_ADDR, MASTER_PORT and PADDOCK_DISTRIBUTED_TIMEOUT from the
  // environment. With world_size() == 1 it returns a group of one at once.
  static std::unique_ptr<DataParallelGroup> join(const NodeContext& context, torch::Device device);
  ~DataParallelGroup();
  DataParallelGroup(const DataParallelGroup&) = delete;
  DataParallelGroup& operator=(const DataParallelGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool alone() const { return size_ == 1; }

  // Replaces `tensor` by its sum over the ranks (every rank gets the sum). `what` names the
  // operation in an error message.
  void sum(torch::Tensor& tensor, const std::string& what);
  // Sums a few numbers over the ranks; a shortcut for the sum of a small float64 tensor.
  std::vector<double> sum(const std::vector<double>& values, const std::string& what);
  // Whether `flag` is true on any rank.
  bool any(bool flag, const std::string& what);
  // Replaces `tensor` on every rank by rank `root`'s.
  void broadcast(torch::Tensor& tensor, int root, const std::string& what);
  // Every rank's `mine`, in rank order (variable lengths; bytes, not text).
  std::vector<std::string> gather_bytes(const std::string& mine, const std::string& what);
  // Returns once every rank has called it.
  void barrier(const std::string& what);

  // Seconds spent inside collective operations so far (waiting for slower ranks included).
  double communication_seconds() const { return communication_seconds_; }

 private:
  struct Backend;
  DataParallelGroup(int rank, int size, std::string where);
  void run(const std::string& what, const std::function<void()>& operation);

  int rank_ = 0;
  int size_ = 1;
  std::string where_;  // "node 'sft', rank 1 of 2"
  torch::Device device_ = torch::kCPU;
  std::unique_ptr<Backend> backend_;
  double communication_seconds_ = 0.0;
};

// The seed of rank `rank`'s own random stream in a node: derive_seed(node_seed, "rank R")
// (paddock/seed.hpp), so it depends on nothing but the node's seed and the rank. Paddock's
// own draws (data order, sampling) do not depend on the rank; this seeds LibTorch's default
// generator on each rank (dropout and similar) so ranks do not repeat each other's draws.
std::uint64_t rank_seed(std::uint64_t node_seed, int rank);

}  // namespace paddock::distributed
