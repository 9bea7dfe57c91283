// Judge evaluation: how a judge compares with reference annotations, in the columns of
// alpaca_eval's evaluator leaderboard.
//
// Scores: a judge label and a reference label agree 1 when equal, 0.5 when exactly one of
// them is a tie, 0 when opposite.
//   agreement              mean score over reference rows (every reference annotation, so
//                          with several humans per pair it is the expected agreement with
//                          one human)
//   agreement_with_majority mean score over distinct pairs against the reference majority
//                          (a tie among the most frequent labels is a tie)
//   prefer_longer          over judged pairs whose outputs differ in length (code points):
//                          P(the judge prefers the longer), ties counting one half
//   prefer_first           over judged pairs: P(preference 1), ties counting one half
//   prefer_lists           over judged pairs where exactly one output is a list: P(the judge
//                          prefers the list one), ties counting one half; null when none
// The same bias columns are computed for the reference labels.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/annotator.hpp"

namespace paddock::annotators {

struct Biases {
  std::optional<double> prefer_longer;
  std::optional<double> prefer_first;
  std::optional<double> prefer_lists;
  std::size_t n_length_differs = 0;
  std::size_t n_one_list = 0;
};

// Labels are 0, 1, 2 or empty (skipped).
Biases measure_biases(const std::vector<PreferencePair>& pairs,
                      const std::vector<std::optional<int>>& labels);

double agreement_score(int judge, int reference);

struct ReferenceRow {
  PreferencePair pair;
  int preference = 0;
};

struct JudgeEvaluation {
  std::size_t n_reference_rows = 0;
  std::size_t n_pairs = 0;
  std::size_t n_parsed = 0;
  std::optional<double> agreement;
  std::optional<double> agreement_with_majority;
  Biases judge;
  Biases reference;
};

// `judged` holds one label per distinct pair (`pairs`), `pair_of_row` maps reference rows to
// their pair.
JudgeEvaluation evaluate_judge(const std::vector<ReferenceRow>& rows,
                               const std::vector<PreferencePair>& pairs,
                               const std::vector<std::size_t>& pair_of_row,
                               const std::vector<std::optional<int>>& judged);

nlohmann::ordered_json biases_to_json(const Biases& biases);

}  // namespace paddock::annotators
