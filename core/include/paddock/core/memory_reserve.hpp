// A reserve of memory set aside at start-up and given back when allocations fail. When
// memory runs out, unwinding still has to allocate: nlohmann::json's destructor, for one,
// flattens a container onto a heap stack, and a std::bad_alloc inside a destructor ends the
// process with abort() (exit 134) instead of a node failure. So the first failed allocation
// is served from half of the reserve, wherever it happens (a destructor included), and marks
// memory low; the next safe point (throw_if_memory_low, which every node's cancellation check
// calls) throws std::bad_alloc, and the destructors of its unwinding find the other half
// free. A second failure before any safe point throws at once, freeing the other half.
#pragma once

#include <cstddef>

namespace paddock::core {

inline constexpr std::size_t kDefaultMemoryReserveBytes = 64u << 20;

// Sets the reserve aside (touching it, so it is really held) and installs the new-handler
// that frees it. Calling it again re-arms a spent reserve.
void install_memory_reserve(std::size_t bytes = kDefaultMemoryReserveBytes);

// Whether an allocation has failed since install (memory is low).
bool memory_reserve_spent();

// Throws std::bad_alloc when memory is low: called where throwing is safe.
void throw_if_memory_low();

}  // namespace paddock::core
