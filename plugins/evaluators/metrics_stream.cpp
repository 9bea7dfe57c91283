// Parsing metrics.jsonl into series.
#include "metrics_stream.hpp"

#include <cmath>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

namespace paddock::evaluators {

MetricsStreamContents read_metrics_stream(const std::filesystem::path& file) {
  MetricsStreamContents contents;
  std::ifstream stream(file);
  if (!stream) return contents;
  std::map<std::pair<std::string, std::string>, std::map<double, double>> collected;
  std::string line;
  while (std::getline(stream, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object()) {
      ++contents.skipped_lines;
      continue;
    }
    auto node = record.find("node");
    if (auto event = record.find("event"); event != record.end()) {
      // A node's fresh start: what it wrote in earlier runs belongs to other outputs.
      if (*event == "start" && node != record.end() && node->is_string() &&
          record.value("fresh", false)) {
        const std::string name = node->get<std::string>();
        std::erase_if(collected, [&name](const auto& entry) { return entry.first.first == name; });
      }
      continue;
    }
    auto key = record.find("key");
    auto step = record.find("step");
    auto value = record.find("value");
    if (node == record.end() || !node->is_string() || key == record.end() || !key->is_string() ||
        step == record.end() || !step->is_number() || value == record.end() ||
        !value->is_number() || !std::isfinite(value->get<double>())) {
      ++contents.skipped_lines;
      continue;
    }
    collected[{node->get<std::string>(), key->get<std::string>()}][step->get<double>()] =
        value->get<double>();
  }
  for (auto& [name, points] : collected) {
    MetricSeries series{name.first, name.second, {}};
    series.points.assign(points.begin(), points.end());
    contents.series.push_back(std::move(series));
  }
  return contents;
}

const MetricSeries* find_series(const MetricsStreamContents& contents, const std::string& node,
                                const std::string& key) {
  for (const auto& series : contents.series) {
    if (series.node == node && series.key == key) return &series;
  }
  return nullptr;
}

std::vector<std::pair<double, double>> thin_points(
    const std::vector<std::pair<double, double>>& points, std::size_t limit) {
  if (limit < 2 || points.size() <= limit) return points;
  std::vector<std::pair<double, double>> kept;
  kept.reserve(limit);
  const double stride = static_cast<double>(points.size() - 1) / static_cast<double>(limit - 1);
  for (std::size_t i = 0; i < limit; ++i) {
    kept.push_back(points[static_cast<std::size_t>(std::llround(stride * static_cast<double>(i)))]);
  }
  return kept;
}

}  // namespace paddock::evaluators
