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
inline constexpr std::size_t kFallbackMmapThresholdBytes = std::size_t{32} << 20;
inline constexpr std::size_t kKeptTrimThresholdBytes = std::size_t{1} << 30;

// Why the environment (read through `read`, std::getenv's signature) asks to leave malloc's
// thresholds alone, or nothing: PADDOCK_KEEP_FREED_MEMORY=0, or the user's own
// MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_, or GLIBC_TUNABLES naming
// glibc.malloc.mmap_threshold, trim_threshold or top_pad.
std::optional<std::string> malloc_left_alone_because(
    const std::function<const char*(const char*)>& read);

struct FreedMemoryReuse {
  bool applied = false;                  // both thresholds set
  std::size_t mmap_threshold_bytes = 0;  // the one set, 0 when none
  std::string description;               // for the run's memory line
};

// Sets malloc's mmap threshold to 256 MiB (32 MiB where glibc refuses more, before 2.35) and
// its trim threshold to 1 GiB, unless the environment chooses them (then it keeps the
// user's; note that glibc then stops adapting its mmap threshold), PADDOCK_KEEP_FREED_MEMORY=0
// asks for malloc's defaults, or the C library is not glibc. The threshold holds for the main
// thread's heap; other threads' heaps are at most 64 MiB, so their larger blocks are still
// mapped each time. Call it early in main, after install_memory_reserve (whose blocks must
// stay mappings of their own, so that freeing them gives memory back to the kernel); later
// calls return the first call's result.
FreedMemoryReuse keep_freed_memory_for_reuse();

}  // namespace paddock::core
