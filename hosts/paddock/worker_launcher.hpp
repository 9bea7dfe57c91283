// `paddock run --nproc N`: starts N copies of this executable as the ranks of one run on
// this machine, with the torchrun-style variables set, and stops them all when one fails.
#pragma once

#include <string>
#include <vector>

namespace paddock::host {

// Runs `paddock run ARGUMENTS` as ranks 0..count-1 (RANK, WORLD_SIZE, LOCAL_RANK,
// LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, free MASTER_PORT and PADDOCK_COORDINATOR_PORT,
// PADDOCK_COORDINATOR_BIND=127.0.0.1 and a fresh random PADDOCK_RUN_TOKEN). When a rank
// exits with an error the others get SIGTERM, and SIGKILL after a grace period; when the
// launcher dies, the kernel sends its ranks SIGTERM (PR_SET_PDEATHSIG).
// Returns 0 when every rank succeeded, else the exit code of the first rank that failed.
int launch_local_ranks(int count, const std::vector<std::string>& arguments);

// `arguments` without any --nproc option (as `--nproc N` or `--nproc=N`).
std::vector<std::string> without_nproc(const std::vector<std::string>& arguments);

}  // namespace paddock::host
