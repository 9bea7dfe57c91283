// Where this process stands among the processes that run one pipeline together, read from
// the torchrun-style environment variables RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
// MASTER_PORT (plus PADDOCK_COORDINATOR_PORT, PADDOCK_COORDINATOR_BIND, PADDOCK_RUN_TOKEN
// and PADDOCK_DISTRIBUTED_TIMEOUT). Without WORLD_SIZE, or with WORLD_SIZE=1, the process
// runs alone. See docs/distributed.md.
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
  // The IPv4 address rank 0's coordinator listens on; empty = 127.0.0.1 when MASTER_ADDR is
  // a loopback address (a run on one machine), else every interface (coordinator_bind()).
  std::string coordinator_bind;
  // A secret every rank presents to the coordinator (`paddock run --nproc` draws one per
  // run); empty = ranks are not authenticated.
  std::string run_token;

  bool distributed() const { return world_size > 1; }
};

// The address the coordinator binds: coordinator_bind, or the default it describes.
PADDOCK_API std::string coordinator_bind(const RankEnvironment& environment);

// Reads and checks the variables; throws paddock::Error naming the variable and its value.
PADDOCK_API RankEnvironment read_rank_environment();

// The same, from a lookup function instead of the process environment (for tests).
PADDOCK_API RankEnvironment read_rank_environment(const char* (*lookup)(const char* name));

}  // namespace paddock::core
