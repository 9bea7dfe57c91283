// Keeping freed memory in the process for reuse. A training step allocates and frees the same
// large CPU tensors again and again. glibc's malloc serves blocks above its mmap threshold
// (128 KiB at first, adapting up to 32 MiB) with fresh mappings and unmaps them on free, and
// trims a heap whose free top passes its trim threshold, so the next step's tensors land on
// new pages that the kernel faults in and zeroes: 2.1 million page faults and 4 s of system
// time in 20 of the quickstart's PPO steps (docs/performance.md, "Freed memory kept for
// reuse"). Raising both thresholds keeps that memory for the next step.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace paddock::core {

inline constexpr std::size_t kKeptMmapThresholdBytes = std::size_t{256} << 20;
inline constexpr std::size_t kKeptTrimThresholdBytes = std::size_t{1} << 30;

// Why the environment (read through `read`, std::getenv's signature) asks to leave malloc's
// thresholds alone, or nothing: PADDOCK_KEEP_FREED_MEMORY=0, or the user's own
// MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_, or GLIBC_TUNABLES naming
// glibc.malloc.mmap_threshold, trim_threshold or top_pad.
std::optional<std::string> malloc_left_alone_because(
    const std::function<const char*(const char*)>& read);

struct FreedMemoryReuse {
  bool applied = false;
  std::string description;  // for the run's compute line
};

// Sets malloc's mmap threshold to 256 MiB and its trim threshold to 1 GiB, unless the
// environment chooses them (then it keeps the user's; note that glibc then stops adapting its
// mmap threshold), PADDOCK_KEEP_FREED_MEMORY=0 asks for malloc's defaults, or the C library
// is not glibc. Call it
// first thing in main, before large allocations; later calls return the first call's result.
FreedMemoryReuse keep_freed_memory_for_reuse();

}  // namespace paddock::core
