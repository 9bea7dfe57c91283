// Measuring responses and scoring them; see utility.hpp.
#include "utility.hpp"

#include <algorithm>

#include "text_util.hpp"

namespace paddock::world {
namespace {

constexpr std::string_view kReasoningCues[] = {"because", "since",     "so",    "gives",
                                               "equals",  "therefore", "which", "means"};

bool has_reasoning_cue(std::string_view response) {
  for (std::string_view cue : kReasoningCues) {
    if (contains_bounded(response, cue, /*case_sensitive=*/false)) return true;
  }
  return false;
}

}  // namespace

std::size_t suitable_length(const Task& task) {
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
  features.excess_length =
      std::clamp((static_cast<double>(features.words) - suitable) / suitable, 0.0, 3.0);
  features.repetition = repeated_trigram_fraction(response);
  features.clean_ending = ends_cleanly(response);
  features.list_format = is_list_formatted(response);
  return features;
}

double utility(const ResponseFeatures& features, const UtilityWeights& weights) {
  return weights.correctness * features.correctness +
         weights.helpfulness * (features.justified ? 1.0 : 0.0) -
         weights.length * features.excess_length - weights.repetition * features.repetition +
         weights.ending * (features.clean_ending ? 1.0 : 0.0);
}

double hidden_utility(const Task& task, std::string_view response) {
  return utility(measure_response(task, response), UtilityWeights{});
}

}  // namespace paddock::world
