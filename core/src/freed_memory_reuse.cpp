// glibc malloc thresholds that keep freed memory for reuse, unless the user set their own.
#include "paddock/core/freed_memory_reuse.hpp"

#include <cstdlib>
#include <string_view>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace paddock::core {

bool malloc_thresholds_set_by_environment(const std::function<const char*(const char*)>& read) {
  for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"})
    if (read(name) != nullptr) return true;
  const char* tunables = read("GLIBC_TUNABLES");
  if (tunables == nullptr) return false;
  const std::string_view text(tunables);
  for (std::string_view name :
       {"glibc.malloc.mmap_threshold", "glibc.malloc.trim_threshold", "glibc.malloc.top_pad"})
    if (text.find(name) != std::string_view::npos) return true;
  return false;
}

namespace {

FreedMemoryReuse apply_once() {
  FreedMemoryReuse result;
  if (malloc_thresholds_set_by_environment([](const char* name) { return std::getenv(name); })) {
    result.description = "malloc thresholds from the environment";
    return result;
  }
#if defined(__GLIBC__)
  // mallopt takes an int; both values fit.
  const bool mmap_set = mallopt(M_MMAP_THRESHOLD, static_cast<int>(kKeptMmapThresholdBytes)) == 1;
  const bool trim_set = mallopt(M_TRIM_THRESHOLD, static_cast<int>(kKeptTrimThresholdBytes)) == 1;
  result.applied = mmap_set && trim_set;
  result.description = result.applied ? "freed memory kept for reuse (malloc mmap threshold "
                                        "256 MiB, trim threshold 1 GiB)"
                                      : "malloc refused the reuse thresholds; its defaults apply";
#else
  result.description = "not glibc: the C library's malloc defaults apply";
#endif
  return result;
}

}  // namespace

FreedMemoryReuse keep_freed_memory_for_reuse() {
  static const FreedMemoryReuse result = apply_once();
  return result;
}

}  // namespace paddock::core
