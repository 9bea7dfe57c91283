// Per-family scoring of a system's outputs; see task_scores.hpp.
#include "task_scores.hpp"

#include "families.hpp"
#include "paddock/error.hpp"
#include "task.hpp"
#include "utility.hpp"

namespace paddock::world {
namespace {

struct Totals {
  std::size_t rows = 0;
  double correctness = 0, fully_correct = 0, utility = 0, words = 0;

  void add(const ResponseFeatures& features, double response_utility) {
    ++rows;
    correctness += features.correctness;
    fully_correct += features.correctness >= 1.0 ? 1.0 : 0.0;
    utility += response_utility;
    words += static_cast<double>(features.words);
  }

  FamilyScore mean() const {
    if (rows == 0) return {};
    const double n = static_cast<double>(rows);
    return {rows, correctness / n, fully_correct / n, utility / n, words / n};
  }
};

}  // namespace

SystemTaskScores score_world_outputs(const Dataset& outputs, const std::string& fallback_name,
                                     std::string_view where) {
  SystemTaskScores scores;
  scores.generator = fallback_name;
  if (!outputs.empty()) {
    const auto generator = outputs[0].find("generator");
    if (generator != outputs[0].end() && generator->is_string() &&
        !generator->get_ref<const std::string&>().empty()) {
      scores.generator = generator->get<std::string>();
    }
  }
  Totals overall;
  std::map<std::string, Totals> families, categories;
  for (std::size_t row = 0; row < outputs.size(); ++row) {
    const Record& record = outputs[row];
    const std::string row_name = std::string(where) + " row " + std::to_string(row + 1);
    const Task task = task_from_record(record, row_name);
    const auto output = record.find("output");
    if (output == record.end() || !output->is_string()) {
      throw Error(row_name +
                  ": no string column 'output'; score a Dataset of system outputs "
                  "(generate, world_system, ...)");
    }
    const std::string& response = output->get_ref<const std::string&>();
    const ResponseFeatures features = measure_response(task, response);
    const double response_utility = hidden_utility(task, response);
    overall.add(features, response_utility);
    families[task.family].add(features, response_utility);
    categories[std::string(family_category(task.family))].add(features, response_utility);
  }
  scores.overall = overall.mean();
  for (const auto& [family, totals] : families) scores.families[family] = totals.mean();
  for (const auto& [category, totals] : categories) scores.categories[category] = totals.mean();
  return scores;
}

}  // namespace paddock::world
