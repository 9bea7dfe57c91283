// glibc malloc thresholds that keep freed memory for reuse, unless the user set their own.
#include "paddock/core/freed_memory_reuse.hpp"

#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace paddock::core {

std::optional<std::string> malloc_left_alone_because(
    const std::function<const char*(const char*)>& read) {
  if (const char* keep = read("PADDOCK_KEEP_FREED_MEMORY");
      keep != nullptr && std::string_view(keep) == "0")
    return "malloc's defaults (PADDOCK_KEEP_FREED_MEMORY=0)";
  for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"})
    if (read(name) != nullptr) return "malloc thresholds from the environment";
  const char* tunables = read("GLIBC_TUNABLES");
  if (tunables == nullptr) return std::nullopt;
  const std::string_view text(tunables);
  for (std::string_view name :
       {"glibc.malloc.mmap_threshold", "glibc.malloc.trim_threshold", "glibc.malloc.top_pad"})
    if (text.find(name) != std::string_view::npos) return "malloc thresholds from the environment";
  return std::nullopt;
}

namespace {

FreedMemoryReuse apply_once() {
  FreedMemoryReuse result;
  if (auto reason = malloc_left_alone_because([](const char* name) { return std::getenv(name); })) {
    result.description = std::move(*reason);
    return result;
  }
#if defined(__GLIBC__)
  // glibc before 2.35 refuses an mmap threshold above 32 MiB (its largest default); then
  // 32 MiB it is. The trim threshold is set only with it: setting either stops glibc from
  // adapting its mmap threshold, which alone would leave that at 128 KiB.
  for (const std::size_t threshold : {kKeptMmapThresholdBytes, kFallbackMmapThresholdBytes}) {
    if (mallopt(M_MMAP_THRESHOLD, static_cast<int>(threshold)) == 1) {
      result.mmap_threshold_bytes = threshold;
      break;
    }
  }
  if (result.mmap_threshold_bytes == 0) {
    result.description = "malloc refused the reuse thresholds; its defaults apply";
    return result;
  }
  result.applied = mallopt(M_TRIM_THRESHOLD, static_cast<int>(kKeptTrimThresholdBytes)) == 1;
  result.description =
      "freed memory kept for reuse (malloc mmap threshold " +
      std::to_string(result.mmap_threshold_bytes >> 20) + " MiB" +
      (result.applied ? ", trim threshold 1 GiB)" : "; the trim threshold was refused)");
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
