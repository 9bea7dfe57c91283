// The memory reserve and its new-handler.
#include "paddock/core/memory_reserve.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace paddock::core {
namespace {

// Two halves: the first lets the failing allocation succeed, wherever it is (inside a
// noexcept destructor a throw would abort), and marks memory low; the second is for the
// unwinding of the std::bad_alloc that the next safe point (or the next failure) throws.
std::atomic<void*> first_half{nullptr};
std::atomic<void*> second_half{nullptr};
std::atomic<bool> low{false};

// operator new calls this when malloc fails; returning makes it try again.
void on_allocation_failure() {
  if (void* block = first_half.exchange(nullptr)) {
    std::free(block);
    low = true;
    return;
  }
  if (void* block = second_half.exchange(nullptr)) std::free(block);
  low = true;
  throw std::bad_alloc();
}

void* held_block(std::size_t bytes) {
  void* block = std::malloc(bytes);
  if (block != nullptr) std::memset(block, 0, bytes);  // touched, so really held
  return block;
}

}  // namespace

void install_memory_reserve(std::size_t bytes) {
  if (first_half.load() == nullptr) first_half = held_block(bytes / 2);
  if (second_half.load() == nullptr) second_half = held_block(bytes - bytes / 2);
  low = false;
  std::set_new_handler(on_allocation_failure);
}

bool memory_reserve_spent() {
  return low.load();
}

void throw_if_memory_low() {
  if (low.load()) throw std::bad_alloc();
}

}  // namespace paddock::core
