// A durable cache of paid API answers: a JSON Lines file, one object per entry, each with a
// "key" field and whatever fields the user of the cache stores beside it. Entries of one
// append are written with a single write() to a file opened with O_APPEND and fsync()ed
// before append returns, so an answer that was paid for survives a crash, Ctrl-C or kill -9.
// On load a torn last line (a kill in the middle of a write) is dropped and cut off the
// file, any other unreadable line is skipped with a warning, and later entries win.
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
#include <nlohmann/json.hpp>

namespace paddock::api_client {

class JsonlCache {
 public:
  // Opens (creating directories and the file as needed) and loads the cache. `label` names
  // it in messages ("annotation cache"); `log` receives warnings and may be null.
  JsonlCache(std::filesystem::path file, std::string label, std::shared_ptr<spdlog::logger> log);
  ~JsonlCache();
  JsonlCache(const JsonlCache&) = delete;
  JsonlCache& operator=(const JsonlCache&) = delete;

  // The entry's fields (without "key"), or nullopt.
  std::optional<nlohmann::ordered_json> find(const std::string& key) const;
  // Appends {"key": KEY, ...fields} lines durably (write + fsync) and indexes them. Throws
  // paddock::Error when the file cannot be written.
  void append(const std::vector<std::pair<std::string, nlohmann::ordered_json>>& entries);

  std::size_t size() const;
  std::size_t lines_dropped() const { return lines_dropped_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  void load();

  std::filesystem::path file_;
  std::string label_;
  std::shared_ptr<spdlog::logger> log_;
  int descriptor_ = -1;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, nlohmann::ordered_json> entries_;
  std::size_t lines_dropped_ = 0;
};

}  // namespace paddock::api_client
