// Freed memory kept for reuse: the environment's own malloc thresholds and an opt-out win, and once
// applied a block of 24 MiB comes from the heap (no fresh mapping) and goes back to it on
// free.
#include "paddock/core/freed_memory_reuse.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace paddock::core {
namespace {

std::optional<std::string> set_by(const std::map<std::string, std::string>& environment) {
  return malloc_left_alone_because([&](const char* name) -> const char* {
    const auto found = environment.find(name);
    return found == environment.end() ? nullptr : found->second.c_str();
  });
}

TEST(FreedMemoryReuse, TheEnvironmentsOwnThresholdsWin) {
  EXPECT_FALSE(set_by({}));
  EXPECT_FALSE(set_by({{"GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F"}}));
  EXPECT_FALSE(set_by({{"MALLOC_ARENA_MAX", "2"}}));
  EXPECT_FALSE(set_by({{"PADDOCK_KEEP_FREED_MEMORY", "1"}}));
  EXPECT_EQ(set_by({{"PADDOCK_KEEP_FREED_MEMORY", "0"}}),
            "malloc's defaults (PADDOCK_KEEP_FREED_MEMORY=0)");
  EXPECT_EQ(set_by({{"MALLOC_TRIM_THRESHOLD_", "0"}}), "malloc thresholds from the environment");
  EXPECT_TRUE(set_by({{"MALLOC_TRIM_THRESHOLD_", "0"}}));
  EXPECT_TRUE(set_by({{"MALLOC_MMAP_THRESHOLD_", "131072"}}));
  EXPECT_TRUE(set_by({{"MALLOC_TOP_PAD_", "0"}}));
  EXPECT_TRUE(set_by({{"GLIBC_TUNABLES", "glibc.cpu.x86_shstk=on:glibc.malloc.trim_threshold=0"}}));
  EXPECT_TRUE(set_by({{"GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536"}}));
}

#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
// Bytes malloc holds in mappings of their own.
std::size_t mapped_bytes() {
  return mallinfo2().hblkhd;
}

TEST(FreedMemoryReuse, ALargeBlockComesFromTheHeapOnceApplied) {
  // Above the threshold a fresh process starts with (128 KiB), below the one set even where
  // glibc refuses 256 MiB (32 MiB).
  constexpr std::size_t kBlock = std::size_t{24} << 20;
  {
    // glibc's default: a block this large is a mapping of its own.
    const std::size_t before = mapped_bytes();
    void* block = std::malloc(kBlock);
    ASSERT_NE(block, nullptr);
    std::memset(block, 1, kBlock);
    const bool was_mapped = mapped_bytes() >= before + kBlock;
    std::free(block);
    if (!was_mapped) GTEST_SKIP() << "this process's malloc does not map such a block by default";
  }
  const FreedMemoryReuse reuse = keep_freed_memory_for_reuse();
  if (const auto reason =
          malloc_left_alone_because([](const char* name) { return std::getenv(name); })) {
    EXPECT_FALSE(reuse.applied);
    EXPECT_EQ(reuse.description, *reason);
    return;
  }
  ASSERT_TRUE(reuse.applied) << reuse.description;
  ASSERT_GE(reuse.mmap_threshold_bytes, kBlock + (std::size_t{1} << 20));
  EXPECT_NE(reuse.description.find(std::to_string(reuse.mmap_threshold_bytes >> 20) + " MiB"),
            std::string::npos);
  const std::size_t before = mapped_bytes();
  void* block = std::malloc(kBlock);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kBlock);
  EXPECT_LT(mapped_bytes(), before + kBlock);
  const std::size_t heap_free_before = mallinfo2().fordblks;
  std::free(block);
  // Back in the heap's free space, not returned to the kernel.
  EXPECT_GE(mallinfo2().fordblks, heap_free_before + kBlock);
  // Later calls return the first call's result.
  EXPECT_EQ(keep_freed_memory_for_reuse().description, reuse.description);
}
#endif

}  // namespace
}  // namespace paddock::core
