// Reading the run's metrics stream (<workdir>/metrics.jsonl, one {"node", "step", "key",
// "value"} object per line) back into per-node, per-key series for the report's curves.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace paddock::evaluators {

struct MetricSeries {
  std::string node;
  std::string key;
  std::vector<std::pair<double, double>> points;  // (step, value), ascending steps
};

struct MetricsStreamContents {
  std::vector<MetricSeries> series;  // ordered by node, then key
  std::int64_t skipped_lines = 0;    // malformed lines and null (non-finite) values
};

// Reads the stream; a missing file gives no series. The stream is appended across runs: a
// node's fresh start ({"node", "event": "start", "fresh": true}) drops its earlier lines, so
// the curves show its latest run; a resumed run continues them, and when a step occurs more
// than once the last line for a (node, key, step) wins.
MetricsStreamContents read_metrics_stream(const std::filesystem::path& file);

// The series for (node, key), or nullptr.
const MetricSeries* find_series(const MetricsStreamContents& contents, const std::string& node,
                                const std::string& key);

// At most `limit` points, evenly spaced over the series, always keeping the first and last.
std::vector<std::pair<double, double>> thin_points(
    const std::vector<std::pair<double, double>>& points, std::size_t limit);

}  // namespace paddock::evaluators
