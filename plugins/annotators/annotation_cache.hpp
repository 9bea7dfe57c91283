// A persistent annotation cache: a JSON Lines file with one object per annotated pair,
//   {"key": "<32 hex>", "annotator": "...", "preference": 1 | 2 | 0 | null, "raw": "..."}
// where key = stable_hash_hex(pair_key \x1f judge identity) (pair_key.hpp). The file is an
// api_client::JsonlCache (durable appends, torn last lines repaired, later entries win);
// this class reads and writes its annotation fields.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

#include "paddock/api_client/jsonl_cache.hpp"

namespace paddock::annotators {

struct CachedAnnotation {
  std::optional<int> preference;  // null: the judge answered but no label could be parsed
  std::string annotator;
  std::string raw;
};

class AnnotationCache {
 public:
  // Opens (creating directories and the file as needed) and loads the cache. `log` receives
  // warnings about dropped lines and may be null.
  AnnotationCache(std::filesystem::path file, std::shared_ptr<spdlog::logger> log);

  std::optional<CachedAnnotation> find(const std::string& key) const;
  // Appends the entries durably (write + fsync) and adds them to the in-memory index.
  // Throws paddock::Error when the file cannot be written.
  void append(const std::vector<std::pair<std::string, CachedAnnotation>>& entries);

  std::size_t size() const { return cache_.size(); }
  std::size_t lines_dropped() const { return cache_.lines_dropped(); }
  const std::filesystem::path& file() const { return cache_.file(); }

 private:
  api_client::JsonlCache cache_;
};

}  // namespace paddock::annotators
