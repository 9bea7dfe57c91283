// A persistent annotation cache: a JSON Lines file with one object per annotated pair,
//   {"key": "<32 hex>", "annotator": "...", "preference": 1 | 2 | 0 | null, "raw": "..."}
// where key = stable_hash_hex(pair_key \x1f judge identity) (pair_key.hpp). Entries of one
// completed request are appended with a single write() and fsync()ed before the call
// returns, so an annotation that was paid for survives a crash, Ctrl-C or kill -9. On load
// a torn last line (a kill in the middle of a write) is dropped and cut off the file, and
// any other unreadable line is skipped with a warning; later entries win over earlier ones.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

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
  ~AnnotationCache();
  AnnotationCache(const AnnotationCache&) = delete;
  AnnotationCache& operator=(const AnnotationCache&) = delete;

  std::optional<CachedAnnotation> find(const std::string& key) const;
  // Appends the entries durably (write + fsync) and adds them to the in-memory index.
  // Throws paddock::Error when the file cannot be written.
  void append(const std::vector<std::pair<std::string, CachedAnnotation>>& entries);

  std::size_t size() const;
  std::size_t lines_dropped() const { return lines_dropped_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  void load();

  std::filesystem::path file_;
  std::shared_ptr<spdlog::logger> log_;
  int descriptor_ = -1;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, CachedAnnotation> entries_;
  std::size_t lines_dropped_ = 0;
};

}  // namespace paddock::annotators
