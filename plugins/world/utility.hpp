// The hidden utility of a response to a world task: what the simulated humans value.
// Correctness dominates; then helpfulness (a short justification), a suitable length
// (rambling and repetition cost) and a clean ending. Every annotator of the world, gold
// raters and judge personas alike, scores responses from these measured features with its
// own weights.
#pragma once

#include <cstddef>
#include <string_view>

#include "task.hpp"

namespace paddock::world {

struct ResponseFeatures {
  double correctness = 0;  // share of keys stated; a quarter of that when a wrong key is stated
  bool justified = false;  // a reasoning cue ("because", "so", "gives", ...) beyond the answer
  std::size_t words = 0;
  double excess_length = 0;  // (words - suitable) / suitable, clamped to [0, 3]
  double repetition = 0;     // share of repeated word 3-grams
  bool clean_ending = false;
  bool list_format = false;
};

struct UtilityWeights {
  double correctness = 3.0;
  double helpfulness = 0.8;
  double length = 0.6;
  double repetition = 2.0;
  double ending = 0.5;
};

// Words a response to this task can use without seeming long-winded.
std::size_t suitable_length(const Task& task);

ResponseFeatures measure_response(const Task& task, std::string_view response);

double utility(const ResponseFeatures& features, const UtilityWeights& weights);

// The utility under the mean human's weights (UtilityWeights{}): the world's ground truth.
double hidden_utility(const Task& task, std::string_view response);

}  // namespace paddock::world
