// The memory reserve and its new-handler.
#include "paddock/core/memory_reserve.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace paddock::core {
namespace {

std::atomic<void*> reserve{nullptr};
std::atomic<bool> spent{false};

// operator new calls this when malloc fails. Freeing the reserve and then throwing (rather
// than returning, which would retry) keeps the failure a failure and leaves the freed memory
// to the destructors of the unwinding.
void give_back_reserve() {
  if (void* block = reserve.exchange(nullptr)) {
    std::free(block);
    spent = true;
  }
  throw std::bad_alloc();
}

}  // namespace

void install_memory_reserve(std::size_t bytes) {
  if (reserve.load() == nullptr) {
    void* block = std::malloc(bytes);
    if (block != nullptr) std::memset(block, 0, bytes);
    reserve = block;
  }
  spent = false;
  std::set_new_handler(give_back_reserve);
}

bool memory_reserve_spent() {
  return spent.load();
}

}  // namespace paddock::core
