// How OpenMP threads wait, chosen before any plugin loads the OpenMP runtime (libgomp reads
// its environment once, when it is loaded).
#pragma once

namespace paddock::core {

// Sets OMP_WAIT_POLICY=PASSIVE unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is already set.
// OpenMP's default lets idle threads spin; when anything else wants the cores (a build, a
// second run, a browser) the spinning threads wait on each other and LibTorch runs many
// times slower (measured: 13x on two cores, docs/performance.md). Returns true when it set
// the variable.
bool prefer_passive_openmp_waits();

}  // namespace paddock::core
