// What a run writes besides artifacts: the log (console and workdir/paddock.log), the
// metrics stream (workdir/metrics.jsonl) and progress displays.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "paddock/progress.hpp"

namespace spdlog {
class logger;
}

namespace paddock::core {

// A logger writing to stderr and, when `log_file` is not empty, appending to that file.
std::shared_ptr<spdlog::logger> make_logger(const std::string& name,
                                            const std::filesystem::path& log_file);
// A logger named `name` writing to the same sinks as `parent`.
std::shared_ptr<spdlog::logger> child_logger(const spdlog::logger& parent, const std::string& name);

// Appends JSON lines {"node", "step", "key", "value"}; safe to call from several threads.
class MetricsStream {
 public:
  explicit MetricsStream(const std::filesystem::path& file);
  void write(std::string_view node, std::int64_t step, std::string_view key, double value);
  // Marks that `node` starts running: {"node", "event": "start", "fresh"}. Readers drop the
  // node's earlier lines at a fresh start (its outputs and work were wiped), and keep them
  // when it resumes its work directory, whose steps continue the same curves.
  void mark_start(std::string_view node, bool fresh);

 private:
  std::mutex mutex_;
  std::ofstream stream_;
};

// A progress bar on a terminal (redrawn in place at most ten times a second), or a plain
// log line every ten percent and at least every 30 seconds otherwise.
std::unique_ptr<Progress> make_progress(std::shared_ptr<spdlog::logger> logger, std::string label,
                                        std::uint64_t total, bool live_bar);

}  // namespace paddock::core
