// Measuring responses and scoring them; see utility.hpp.
#include "utility.hpp"

#include <algorithm>

#include "text_util.hpp"

namespace paddock::world {
namespace {

// Version 2's mean human; calibrated against AlpacaFarm's human preference statistics on the
// world's calibration pairs (docs/world.md, tests/world/world_calibration_test.cpp).
constexpr double kVersion2Helpfulness = 0.6;
constexpr double kVersion2Detail = 1.8;
constexpr double kVersion2ListTaste = 0.35;

constexpr std::string_view kReasoningCues[] = {"because", "since",     "so",    "gives",
                                               "equals",  "therefore", "which", "means"};

bool has_reasoning_cue(std::string_view response) {
  for (std::string_view cue : kReasoningCues) {
    if (contains_bounded(response, cue, /*case_sensitive=*/false)) return true;
  }
  return false;
}

}  // namespace

UtilityWeights mean_human_weights(int version) {
  UtilityWeights weights;
  if (version >= 2) {
    weights.helpfulness = kVersion2Helpfulness;
    weights.detail = kVersion2Detail;
  }
  return weights;
}

double mean_list_taste(int version) {
  return version >= 2 ? kVersion2ListTaste : 0.0;
}

std::size_t suitable_length(const Task& task) {
  if (task.family == "tell_about") return 70;
  return task.family == "description" ? 45 : 30;
}

ResponseFeatures measure_response(const Task& task, std::string_view response) {
  ResponseFeatures features;
  features.words = count_words(response);
  if (features.words == 0) return features;
  std::size_t found = 0;
  for (const std::string& key : task.keys) {
    if (contains_bounded(response, key, task.case_sensitive)) ++found;
  }
  features.correctness =
      task.keys.empty() ? 0.0 : static_cast<double>(found) / static_cast<double>(task.keys.size());
  for (const std::string& wrong : task.wrong_keys) {
    if (contains_bounded(response, wrong, task.case_sensitive)) {
      features.correctness *= 0.25;
      break;
    }
  }
  const std::size_t answer_words = count_words(task.answer);
  features.justified = has_reasoning_cue(response) && features.words >= answer_words + 5;
  const double suitable = static_cast<double>(suitable_length(task));
  features.detail = std::min(static_cast<double>(features.words) / suitable, 1.0);
  features.excess_length =
      std::clamp((static_cast<double>(features.words) - suitable) / suitable, 0.0, 3.0);
  features.repetition = repeated_trigram_fraction(response);
  features.clean_ending = ends_cleanly(response);
  features.list_format = is_list_formatted(response);
  return features;
}

double utility(const ResponseFeatures& features, const UtilityWeights& weights) {
  return weights.correctness * features.correctness +
         weights.helpfulness * (features.justified ? 1.0 : 0.0) + weights.detail * features.detail -
         weights.length * features.excess_length - weights.repetition * features.repetition +
         weights.ending * (features.clean_ending ? 1.0 : 0.0);
}

double hidden_utility(const Task& task, std::string_view response) {
  const ResponseFeatures features = measure_response(task, response);
  return utility(features, mean_human_weights(task.world_version)) +
         mean_list_taste(task.world_version) * (features.list_format ? 1.0 : 0.0);
}

}  // namespace paddock::world
