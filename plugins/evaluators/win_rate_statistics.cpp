// Win rate, standard error and outcome counts from a preference vector.
#include "win_rate_statistics.hpp"

#include <string>

#include "paddock/error.hpp"
#include "statistics.hpp"

namespace paddock::evaluators {

double preference_score(int preference) {
  switch (preference) {
    case 0:
      return 0.5;
    case 1:
      return 0.0;
    case 2:
      return 1.0;
    default:
      throw Error("a preference must be 0 (tie), 1 or 2, not " + std::to_string(preference));
  }
}

WinRateSummary summarize_preferences(std::span<const std::optional<int>> preferences) {
  WinRateSummary summary;
  std::vector<double> scores;
  scores.reserve(preferences.size());
  for (const auto& preference : preferences) {
    if (!preference) {
      ++summary.n_unannotated;
      continue;
    }
    scores.push_back(preference_score(*preference));
    if (*preference == 2) ++summary.n_wins;
    if (*preference == 1) ++summary.n_wins_base;
    if (*preference == 0) ++summary.n_draws;
  }
  summary.n_total = static_cast<std::int64_t>(scores.size());
  summary.win_rate = mean(scores) * 100.0;
  if (auto se = standard_error_of_mean(scores)) summary.standard_error = *se * 100.0;
  return summary;
}

}  // namespace paddock::evaluators
