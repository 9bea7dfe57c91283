// Running out of memory while building a large JSON document: with the reserve installed the
// std::bad_alloc can be caught (the destructors that unwind it allocate from the freed
// reserve); without it, nlohmann::json's destructor threw inside a noexcept and abort()ed.
// The test runs in a child process with its address space capped (RLIMIT_AS).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "paddock/core/memory_reserve.hpp"

namespace paddock::core {
namespace {

// The process's current address-space size in bytes (VmSize of /proc/self/status).
std::size_t address_space_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  }
  return 0;
}

// In the child: caps memory a little above what it uses, fills a JSON array of small records
// (many small allocations, as a generated world is) until an allocation fails, and exits 0
// when the std::bad_alloc arrives as an exception.
[[noreturn]] void exhaust_memory_in_child() {
  install_memory_reserve();
  const rlim_t cap = address_space_bytes() + (384u << 20);
  const rlimit limit{cap, cap};
  if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(3);
  try {
    nlohmann::json world = nlohmann::json::array();
    // Room for every element up front, so the allocation that fails is a small one, as in a
    // real world, and memory is truly exhausted when the destructor needs its stack.
    world.get_ref<nlohmann::json::array_t&>().reserve(4u << 20);
    for (std::size_t i = 0;; ++i) {
      world.push_back({{"instruction", "task " + std::to_string(i) + " of a very large world"},
                       {"input", ""},
                       {"output", "an answer long enough to need its own allocation"}});
      // A node's loop checks for cancellation, which is where low memory throws.
      if (i % 64 == 0) throw_if_memory_low();
    }
  } catch (const std::bad_alloc&) {
    ::_exit(memory_reserve_spent() ? 0 : 4);
  }
  ::_exit(5);
}

TEST(MemoryReserve, RunningOutOfMemoryInAJsonDocumentIsAnExceptionNotAnAbort) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizers reserve address space of their own; RLIMIT_AS would trip them";
#endif
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) exhaust_memory_in_child();
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_FALSE(WIFSIGNALED(status))
      << "killed by signal " << WTERMSIG(status) << " (6 = abort from a destructor)";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace paddock::core
