// The hidden utility of a response to a world task: what the simulated humans value.
// Correctness dominates; then helpfulness (a short justification), a suitable length
// (rambling and repetition cost) and a clean ending. World version 2's humans also value
// detail up to the suitable length (and stop valuing it there), as AlpacaFarm's crowd workers
// preferred the longer output about 64% of the time. Every annotator of the world, gold
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
  double detail = 0;         // min(words / suitable, 1): saturates at the suitable length
  double excess_length = 0;  // (words - suitable) / suitable, clamped to [0, 3]
  double repetition = 0;     // share of repeated word 3-grams
  bool clean_ending = false;
  bool list_format = false;
};

struct UtilityWeights {
  double correctness = 3.0;
  double helpfulness = 0.8;
  double detail = 0.0;  // version 2's mean human: see mean_human_weights
  double length = 0.6;
  double repetition = 2.0;
  double ending = 0.5;
};

// The mean human's weights in a world version (1: UtilityWeights{}; 2: with detail).
UtilityWeights mean_human_weights(int version);
// The mean human's taste for list formatting (0 in version 1; mild in version 2, as
// AlpacaFarm's humans chose the list-formatted output about 60% of the time).
double mean_list_taste(int version);

// Words a response to this task can use without seeming long-winded.
std::size_t suitable_length(const Task& task);

ResponseFeatures measure_response(const Task& task, std::string_view response);

double utility(const ResponseFeatures& features, const UtilityWeights& weights);

// The utility under the mean human's weights and list taste of the task's world version:
// the world's ground truth.
double hidden_utility(const Task& task, std::string_view response);

}  // namespace paddock::world
