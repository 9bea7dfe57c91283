// Agreement and bias measurements for judge_eval.
#include "judge_evaluation.hpp"

#include <array>

#include "text_features.hpp"

namespace paddock::annotators {
namespace {

// Credit for choosing side `chosen` (1 or 2) given label: 1, 0.5 for a tie, else 0.
double credit(int label, int chosen) {
  return label == 0 ? 0.5 : (label == chosen ? 1.0 : 0.0);
}

std::optional<double> mean(double sum, std::size_t count) {
  if (count == 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

}  // namespace

double agreement_score(int judge, int reference) {
  if (judge == reference) return 1.0;
  if (judge == 0 || reference == 0) return 0.5;
  return 0.0;
}

Biases measure_biases(const std::vector<PreferencePair>& pairs,
                      const std::vector<std::optional<int>>& labels) {
  Biases biases;
  double longer = 0, first = 0, lists = 0;
  std::size_t judged = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (!labels[i]) continue;
    const int label = *labels[i];
    ++judged;
    first += credit(label, 1);
    const auto length_1 = count_code_points(pairs[i].output_1);
    const auto length_2 = count_code_points(pairs[i].output_2);
    if (length_1 != length_2) {
      longer += credit(label, length_2 > length_1 ? 2 : 1);
      ++biases.n_length_differs;
    }
    const bool list_1 = looks_like_list(pairs[i].output_1);
    const bool list_2 = looks_like_list(pairs[i].output_2);
    if (list_1 != list_2) {
      lists += credit(label, list_2 ? 2 : 1);
      ++biases.n_one_list;
    }
  }
  biases.prefer_first = mean(first, judged);
  biases.prefer_longer = mean(longer, biases.n_length_differs);
  biases.prefer_lists = mean(lists, biases.n_one_list);
  return biases;
}

JudgeEvaluation evaluate_judge(const std::vector<ReferenceRow>& rows,
                               const std::vector<PreferencePair>& pairs,
                               const std::vector<std::size_t>& pair_of_row,
                               const std::vector<std::optional<int>>& judged) {
  JudgeEvaluation result;
  result.n_reference_rows = rows.size();
  result.n_pairs = pairs.size();
  for (const auto& label : judged) result.n_parsed += label.has_value();

  double row_sum = 0;
  std::size_t row_count = 0;
  std::vector<std::array<int, 3>> votes(pairs.size(), std::array<int, 3>{});
  for (std::size_t r = 0; r < rows.size(); ++r) {
    ++votes[pair_of_row[r]][static_cast<std::size_t>(rows[r].preference)];
    const auto& label = judged[pair_of_row[r]];
    if (!label) continue;
    row_sum += agreement_score(*label, rows[r].preference);
    ++row_count;
  }
  result.agreement = mean(row_sum, row_count);

  double majority_sum = 0;
  std::size_t majority_count = 0;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    if (!judged[p]) continue;
    const auto& count = votes[p];
    int best = 0;
    for (int label = 1; label < 3; ++label) {
      if (count[static_cast<std::size_t>(label)] > count[static_cast<std::size_t>(best)])
        best = label;
    }
    int leaders = 0;
    for (int c : count) leaders += c == count[static_cast<std::size_t>(best)];
    majority_sum += agreement_score(*judged[p], leaders > 1 ? 0 : best);
    ++majority_count;
  }
  result.agreement_with_majority = mean(majority_sum, majority_count);

  result.judge = measure_biases(pairs, judged);
  std::vector<PreferencePair> row_pairs;
  std::vector<std::optional<int>> row_labels;
  for (const ReferenceRow& row : rows) {
    row_pairs.push_back(row.pair);
    row_labels.push_back(row.preference);
  }
  result.reference = measure_biases(row_pairs, row_labels);
  return result;
}

nlohmann::ordered_json biases_to_json(const Biases& biases) {
  const auto number = [](const std::optional<double>& value) -> nlohmann::ordered_json {
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
  };
  return {{"prefer_longer", number(biases.prefer_longer)},
          {"prefer_first", number(biases.prefer_first)},
          {"prefer_lists", number(biases.prefer_lists)},
          {"n_length_differs", biases.n_length_differs},
          {"n_one_list", biases.n_one_list}};
}

}  // namespace paddock::annotators
