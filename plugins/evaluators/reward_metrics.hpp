// A reward model's agreement with held-out preference labels, with AlpacaFarm's metric
// definitions: logit = r(output_2) - r(output_1), label = 1 when output_2 is preferred,
// prediction = (logit >= 0).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace paddock::evaluators {

struct RewardModelMetrics {
  double accuracy = 0.0;             // mean(prediction == label)
  double label_positive_rate = 0.0;  // mean(label == 1)
  double positive_rate = 0.0;        // mean(prediction == 1)
  std::optional<double>
      true_positive_rate;  // sum(pred * label) / sum(label); empty if no positives
  std::optional<double> false_positive_rate;  // sum(pred * (1 - label)) / sum(1 - label)
  std::int64_t n = 0;
};

// `logits` and `labels` (0 or 1) have equal lengths; throws paddock::Error otherwise.
RewardModelMetrics compute_reward_model_metrics(std::span<const double> logits,
                                                std::span<const int> labels);

}  // namespace paddock::evaluators
