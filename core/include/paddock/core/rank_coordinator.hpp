// The run coordinator: a small TCP service through which the ranks of a distributed
// `paddock run` agree on the pipeline, meet at a barrier after every node, and learn at once
// when another rank failed or died. It needs no LibTorch: rank 0 listens on
// RankEnvironment::coordinator_port and every other rank keeps one connection to it.
//
// Rank 0 listens on coordinator_bind(environment): 127.0.0.1 for a run on one machine. When
// the environment has a run token, a connection that does not present it is refused and
// closed, and the rendezvous goes on waiting for the real ranks.
//
// Wire protocol, one line per message (at most 64 KiB): a rank sends
// "hello RANK TOKEN IDENTITY" (TOKEN "-" when there is none), rank 0 answers "welcome" or
// "refuse MESSAGE"; at a barrier a rank sends "arrive LABEL" (or "fail MESSAGE"
// when it failed) and rank 0 answers every rank "go" or "fail MESSAGE".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "paddock/core/rank_environment.hpp"
#include "paddock/export.hpp"

namespace paddock::core {

class PADDOCK_API RankCoordinator {
 public:
  // Rank 0 waits for every other rank to connect; the others connect, retrying until the
  // environment's timeout. Every rank presents `identity` (a digest of the pipeline and of
  // what will run); rank 0 refuses the run when one differs from its own. Throws
  // paddock::Error on a refusal or a timeout.
  static std::unique_ptr<RankCoordinator> join(const RankEnvironment& environment,
                                               const std::string& identity);
  ~RankCoordinator();
  RankCoordinator(const RankCoordinator&) = delete;
  RankCoordinator& operator=(const RankCoordinator&) = delete;

  // Returns once every rank has arrived at the barrier named `label`. Throws paddock::Error
  // when a rank reported a failure, lost its connection or arrived at another barrier. It
  // waits without a time limit (rank 0 may run a long node alone), but a rank that dies
  // closes its connection, and TCP keepalive notices a machine that vanished.
  void barrier(const std::string& label);

  // Tells the other ranks that this one failed, so they stop at their next barrier with
  // `message` instead of waiting. Best effort; never throws.
  void report_failure(const std::string& message) noexcept;

  int rank() const { return environment_.rank; }

 private:
  RankCoordinator(RankEnvironment environment, std::vector<int> sockets);
  void barrier_as_rank_zero(const std::string& label);
  void barrier_as_member(const std::string& label);
  void fail_everyone(const std::string& message) noexcept;

  RankEnvironment environment_;
  // Rank 0: one connected socket per other rank, index rank - 1. Others: one, to rank 0.
  std::vector<int> sockets_;
  std::vector<std::string> pending_;  // bytes read past the last full line, per socket
  bool failed_ = false;
};

}  // namespace paddock::core
