// Accuracy, label positive rate, positive rate, TPR and FPR of reward-model predictions.
#include "reward_metrics.hpp"

#include <string>

#include "paddock/error.hpp"

namespace paddock::evaluators {

RewardModelMetrics compute_reward_model_metrics(std::span<const double> logits,
                                                std::span<const int> labels) {
  if (logits.size() != labels.size()) {
    throw Error("reward metrics: " + std::to_string(logits.size()) + " scores but " +
                std::to_string(labels.size()) + " labels");
  }
  RewardModelMetrics metrics;
  metrics.n = static_cast<std::int64_t>(labels.size());
  if (labels.empty()) return metrics;
  double correct = 0, positives = 0, predicted_positive = 0, true_positives = 0,
         false_positives = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1) {
      throw Error("reward metrics: label " + std::to_string(i) + " is not 0 or 1");
    }
    const int prediction = logits[i] >= 0.0 ? 1 : 0;
    correct += prediction == labels[i];
    positives += labels[i];
    predicted_positive += prediction;
    true_positives += prediction * labels[i];
    false_positives += prediction * (1 - labels[i]);
  }
  const double n = static_cast<double>(labels.size());
  metrics.accuracy = correct / n;
  metrics.label_positive_rate = positives / n;
  metrics.positive_rate = predicted_positive / n;
  if (positives > 0) metrics.true_positive_rate = true_positives / positives;
  if (n - positives > 0) metrics.false_positive_rate = false_positives / (n - positives);
  return metrics;
}

}  // namespace paddock::evaluators
