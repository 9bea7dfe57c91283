// A reserve of memory set aside at start-up and given back on the first failed allocation.
// When memory runs out, unwinding still has to allocate: nlohmann::json's destructor, for one,
// flattens a container onto a heap stack, and a std::bad_alloc inside a destructor ends the
// process with abort() (exit 134) instead of a node failure. With the reserve, the failing
// allocation throws std::bad_alloc as usual, and the destructors that run while it unwinds
// find the reserve's memory free.
#pragma once

#include <cstddef>

namespace paddock::core {

inline constexpr std::size_t kDefaultMemoryReserveBytes = 64u << 20;

// Sets the reserve aside (touching it, so it is really held) and installs the new-handler
// that frees it. Calling it again re-arms a spent reserve.
void install_memory_reserve(std::size_t bytes = kDefaultMemoryReserveBytes);

// Whether the reserve has been given back (some allocation failed since install).
bool memory_reserve_spent();

}  // namespace paddock::core
