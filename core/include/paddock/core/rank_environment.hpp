// Where this process stands among the processes that run one pipeline together, read from
// the torchrun-style environment variables RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
// MASTER_PORT (plus PADDOCK_COORDINATOR_PORT and PADDOCK_DISTRIBUTED_TIMEOUT). Without
// WORLD_SIZE, or with WORLD_SIZE=1, the process runs alone. See docs/distributed.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "paddock/export.hpp"

namespace paddock::core {

struct RankEnvironment {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_address = "127.0.0.1";
  std::uint16_t master_port = 0;       // torch.distributed's TCPStore
  std::uint16_t coordinator_port = 0;  // the run coordinator (default MASTER_PORT + 1)
  // How long a rank waits for the others to arrive at a rendezvous, and for a collective
  // operation to finish, before it gives up with an error.
  std::chrono::seconds timeout{300};

  bool distributed() const { return world_size > 1; }
};

// Reads and checks the variables; throws paddock::Error naming the variable and its value.
PADDOCK_API RankEnvironment read_rank_environment();

// The same, from a lookup function instead of the process environment (for tests).
PADDOCK_API RankEnvironment read_rank_environment(const char* (*lookup)(const char* name));

}  // namespace paddock::core
