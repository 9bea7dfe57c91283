// Length-controlled win rate: a two-term logistic regression on the length difference.
#include "length_control.hpp"

#include <cmath>
#include <vector>

#include "logistic_regression.hpp"
#include "paddock/error.hpp"
#include "win_rate_statistics.hpp"

namespace paddock::evaluators {

std::optional<LengthControlledWinRate> length_controlled_win_rate(
    std::span<const std::optional<int>> preferences, std::span<const double> system_lengths,
    std::span<const double> reference_lengths, double l2_penalty) {
  if (preferences.size() != system_lengths.size() ||
      preferences.size() != reference_lengths.size()) {
    throw Error("length-controlled win rate: preferences and lengths differ in count");
  }
  std::vector<double> differences, targets;
  for (std::size_t i = 0; i < preferences.size(); ++i) {
    if (!preferences[i]) continue;
    differences.push_back(system_lengths[i] - reference_lengths[i]);
    targets.push_back(preference_score(*preferences[i]));
  }
  if (targets.empty()) return std::nullopt;

  // Standardise by the root mean square of the differences about their mean (the standard
  // deviation, divisor n - 1 as in pandas), without subtracting the mean.
  double scale = 0.0;
  if (differences.size() >= 2) {
    double average = 0.0;
    for (double d : differences) average += d;
    average /= static_cast<double>(differences.size());
    double squares = 0.0;
    for (double d : differences) squares += (d - average) * (d - average);
    scale = std::sqrt(squares / static_cast<double>(differences.size() - 1));
  }

  std::vector<std::vector<double>> features;
  features.reserve(differences.size());
  for (double d : differences) {
    // All differences equal: the length term carries no information, so it stays at zero.
    const double length_feature = scale > 0.0 ? std::tanh(d / scale) : 0.0;
    features.push_back({1.0, length_feature});
  }
  const LogisticFit fit = fit_logistic_regression(features, targets, l2_penalty);

  LengthControlledWinRate result;
  result.system_term = fit.coefficients[0];
  result.length_term = fit.coefficients[1];
  result.length_scale = scale;
  result.converged = fit.converged;
  // With the length difference at zero every instruction gets the same prediction, so the
  // average over instructions is that prediction.
  const double probability = sigmoid(result.system_term);
  result.win_rate = 100.0 * probability;
  const double variance = fit.covariance[0][0];
  if (targets.size() >= 2 && variance >= 0.0) {
    result.standard_error = 100.0 * probability * (1.0 - probability) * std::sqrt(variance);
  }
  return result;
}

}  // namespace paddock::evaluators
