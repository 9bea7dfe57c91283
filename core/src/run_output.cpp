// Logging sinks, the metrics stream and progress displays.
#include "paddock/core/run_output.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "paddock/error.hpp"

namespace paddock::core {

std::shared_ptr<spdlog::logger> make_logger(const std::string& name,
                                            const std::filesystem::path& log_file) {
  std::vector<spdlog::sink_ptr> sinks;
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_pattern("[%H:%M:%S] %^%l%$ [%n] %v");
  sinks.push_back(console);
  if (!log_file.empty()) {
    std::filesystem::create_directories(log_file.parent_path());
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file.string(), false);
    file->set_pattern("[%Y-%m-%d %H:%M:%S.%e] %l [%n] %v");
    sinks.push_back(file);
  }
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return logger;
}

std::shared_ptr<spdlog::logger> child_logger(const spdlog::logger& parent,
                                             const std::string& name) {
  auto logger =
      std::make_shared<spdlog::logger>(name, parent.sinks().begin(), parent.sinks().end());
  logger->set_level(parent.level());
  logger->flush_on(spdlog::level::info);
  return logger;
}

MetricsStream::MetricsStream(const std::filesystem::path& file) {
  std::filesystem::create_directories(file.parent_path());
  stream_.open(file, std::ios::app);
  if (!stream_) throw Error("cannot open the metrics stream " + file.string());
}

void MetricsStream::write(std::string_view node, std::int64_t step, std::string_view key,
                          double value) {
  nlohmann::json line = {{"node", node}, {"step", step}, {"key", key}};
  line["value"] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  std::lock_guard lock(mutex_);
  stream_ << line.dump() << '\n';
  stream_.flush();
}

void MetricsStream::mark_start(std::string_view node, bool fresh) {
  const nlohmann::json line = {{"node", node}, {"event", "start"}, {"fresh", fresh}};
  std::lock_guard lock(mutex_);
  stream_ << line.dump() << '\n';
  stream_.flush();
}

namespace {

using Clock = std::chrono::steady_clock;

class ProgressDisplay : public Progress {
 public:
  ProgressDisplay(std::shared_ptr<spdlog::logger> logger, std::string label, std::uint64_t total,
                  bool live_bar)
      : logger_(std::move(logger)),
        label_(std::move(label)),
        total_(total),
        live_bar_(live_bar),
        start_(Clock::now()),
        last_report_(start_) {}
  ~ProgressDisplay() override { finish(); }

  void advance(std::uint64_t steps) override {
    done_ += steps;
    report(false);
  }
  void add_tokens(std::uint64_t count) override { tokens_ += count; }
  void set_status(std::string status) override { status_ = std::move(status); }

  void finish() override {
    if (finished_) return;
    finished_ = true;
    report(true);
    if (live_bar_) std::fputs("\n", stderr);
  }

 private:
  std::string line() const {
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    char buffer[256];
    std::string text = label_;
    if (total_ > 0) {
      const double fraction =
          std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
      std::snprintf(buffer, sizeof buffer, " %3.0f%% %llu/%llu", fraction * 100,
                    static_cast<unsigned long long>(done_),
                    static_cast<unsigned long long>(total_));
      if (live_bar_) {
        const int width = 24, filled = static_cast<int>(fraction * width);
        text += " [" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
      }
    } else {
      std::snprintf(buffer, sizeof buffer, " %llu", static_cast<unsigned long long>(done_));
    }
    text += buffer;
    if (seconds > 0) {
      std::snprintf(buffer, sizeof buffer, " %.1f it/s", done_ / seconds);
      text += buffer;
      if (tokens_ > 0) {
        std::snprintf(buffer, sizeof buffer, " %.0f tok/s", tokens_ / seconds);
        text += buffer;
      }
    }
    std::snprintf(buffer, sizeof buffer, " %.0fs", seconds);
    text += buffer;
    if (!status_.empty()) text += " " + status_;
    return text;
  }

  void report(bool final) {
    const auto now = Clock::now();
    if (live_bar_) {
      if (!final && now - last_report_ < std::chrono::milliseconds(100)) return;
      last_report_ = now;
      std::fprintf(stderr, "\r\033[K[%s] %s", logger_->name().c_str(), line().c_str());
      std::fflush(stderr);
      return;
    }
    const std::uint64_t decile = total_ > 0 ? done_ * 10 / total_ : 0;
    if (final && done_ == last_reported_done_ && done_ > 0) return;  // already said
    if (final || decile > last_decile_ || now - last_report_ > std::chrono::seconds(30)) {
      last_decile_ = decile;
      last_reported_done_ = done_;
      last_report_ = now;
      logger_->info("{}", line());
    }
  }

  std::shared_ptr<spdlog::logger> logger_;
  std::string label_;
  std::uint64_t total_;
  bool live_bar_;
  Clock::time_point start_, last_report_;
  std::uint64_t done_ = 0, tokens_ = 0, last_decile_ = 0, last_reported_done_ = 0;
  std::string status_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<Progress> make_progress(std::shared_ptr<spdlog::logger> logger, std::string label,
                                        std::uint64_t total, bool live_bar) {
  return std::make_unique<ProgressDisplay>(std::move(logger), std::move(label), total, live_bar);
}

}  // namespace paddock::core
