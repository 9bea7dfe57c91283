// `dataset_stats`: a Report describing a Dataset: row count, columns, share of rows with an
// input, and output lengths (characters and words).
#include <algorithm>
#include <cctype>
#include <set>

#include "dataset_nodes.hpp"
#include "paddock/dataset.hpp"
#include "paddock/report.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::datasets {
namespace {

std::size_t count_words(const std::string& text) {
  std::size_t words = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    const bool space = std::isspace(c) != 0;
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

struct DatasetStatsSettings {
  std::string text_column = "output";
};

SettingsSchema<DatasetStatsSettings> dataset_stats_schema() {
  SettingsSchema<DatasetStatsSettings> schema;
  schema.text("text_column", &DatasetStatsSettings::text_column,
              "the column whose lengths are measured");
  return schema;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

void run_dataset_stats(NodeContext& context) {
  const auto data = context.input<Dataset>("data");
  const std::string column = dataset_stats_schema().read(context.params()).text_column;
  std::set<std::string> columns;
  std::vector<double> characters, words;
  std::size_t with_input = 0;
  auto progress = context.progress("rows", data->size());
  for (std::size_t row = 0; row < data->size(); ++row) {
    const Record& record = (*data)[row];
    for (const auto& item : record.items()) columns.insert(item.key());
    if (auto input = record.find("input"); input != record.end() && input->is_string() &&
                                           !input->get_ref<const std::string&>().empty()) {
      ++with_input;
    }
    if (record.contains(column)) {
      const std::string& text = text_column(record, column, row);
      characters.push_back(static_cast<double>(text.size()));
      words.push_back(static_cast<double>(count_words(text)));
    }
    progress->advance();
  }
  progress->finish();
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
  };
  nlohmann::ordered_json report = {
      {"rows", data->size()},
      {"columns", columns},
      {"fraction_with_input", data->empty() ? 0.0 : static_cast<double>(with_input) / data->size()},
      {"text_column", column},
      {"rows_with_text", characters.size()},
      {"mean_characters", mean(characters)},
      {"median_characters", median(characters)},
      {"mean_words", mean(words)},
  };
  context.log().info("{} rows, mean {} length {:.1f} characters", data->size(), column,
                     mean(characters));
  context.set_output("report", std::make_shared<Report>(std::move(report)));
}

}  // namespace

NodeTypeSpec dataset_stats_node_type() {
  NodeTypeSpec spec;
  spec.name = "dataset_stats";
  spec.kind = NodeKind::evaluator;
  spec.summary = "Describes a Dataset: rows, columns, share with input, text lengths.";
  spec.inputs = {{"data", "Dataset", "the records to describe"}};
  spec.outputs = {{"report", "Report", "the statistics"}};
  spec.params = dataset_stats_schema().specs();
  return make_node_type(std::move(spec), run_dataset_stats);
}

}  // namespace paddock::datasets
