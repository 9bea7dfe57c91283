// The win rate of a system against a reference, from per-row preferences in AlpacaFarm's
// convention: 1 = output_1 (the reference) better, 2 = output_2 (the system) better, 0 = tie,
// empty = unannotated.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace paddock::evaluators {

struct WinRateSummary {
  double win_rate = 0.0;                 // mean(score) * 100; 0 when nothing was annotated
  std::optional<double> standard_error;  // SE of the mean of the scores * 100; empty when n < 2
  std::int64_t n_wins = 0;               // preference 2: the system won
  std::int64_t n_wins_base = 0;          // preference 1: the reference won
  std::int64_t n_draws = 0;              // preference 0
  std::int64_t n_total = 0;              // annotated rows: n_wins + n_wins_base + n_draws
  std::int64_t n_unannotated = 0;        // rows without a preference, excluded from the above
};

// The score of one row: preference - 1 with a tie counting one half, i.e. 2 -> 1, 1 -> 0,
// 0 -> 0.5. Throws paddock::Error for any other value.
double preference_score(int preference);

// Summarises the preferences; unannotated rows are counted and otherwise ignored.
WinRateSummary summarize_preferences(std::span<const std::optional<int>> preferences);

}  // namespace paddock::evaluators
