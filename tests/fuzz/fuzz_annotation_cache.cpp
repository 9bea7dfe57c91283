// libFuzzer target for the annotation cache loader (api_client::JsonlCache and the
// annotation fields read from it): the input is the cache file. Loading must keep the good
// lines, drop or skip the others, repair a torn last line, and leave a file that a further
// append and reload read back; anything else, or any exception but paddock::Error, is a bug.
#include <string>
#include <vector>

#include "annotation_cache.hpp"
#include "fuzz_support.hpp"
#include "paddock/error.hpp"

namespace {

// The "key" values the input appears to hold, so find() looks up entries that may exist.
std::vector<std::string> keys_mentioned(std::string_view text) {
  std::vector<std::string> keys;
  constexpr std::string_view kMarker = "\"key\":\"";
  for (std::size_t at = text.find(kMarker); at != std::string_view::npos && keys.size() < 16;
       at = text.find(kMarker, at + 1)) {
    const std::size_t begin = at + kMarker.size();
    const std::size_t end = text.find('"', begin);
    if (end == std::string_view::npos) break;
    keys.emplace_back(text.substr(begin, end - begin));
  }
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using paddock::annotators::AnnotationCache;
  using paddock::annotators::CachedAnnotation;
  const std::string_view text = paddock::fuzzing::as_text(data, size);
  const auto file = paddock::fuzzing::write_scratch_file("annotations.jsonl", text);
  try {
    std::size_t loaded = 0;
    {
      AnnotationCache cache(file, nullptr);
      for (const std::string& key : keys_mentioned(text)) (void)cache.find(key);
      loaded = cache.size();
      cache.append({{"fuzz-key", CachedAnnotation{1, "fuzz", "Output (a)"}}});
    }
    AnnotationCache reread(file, nullptr);
    const auto entry = reread.find("fuzz-key");
    if (!entry || entry->preference != 1) __builtin_trap();  // a paid answer was lost
    if (reread.size() < 1 || reread.size() > loaded + 1) __builtin_trap();
  } catch (const paddock::Error&) {
  }
  return 0;
}
