// The leaderboard: win-rate Reports of many systems (and judges) grouped into one row per
// system, with the simulated and the human evaluation side by side and their rank
// correlation across systems. Its JSON form is a contract other tools read; see
// docs/evaluation.md.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace paddock::evaluators {

struct EvaluationCell {
  double win_rate = 0.0;
  double standard_error = 0.0;  // 0 when the report had none (fewer than 2 annotated rows)
  std::int64_t n = 0;           // annotated rows (the report's n_total)
  std::string judge;
};

// A system's win rate minus the baseline system's on the prompts both were judged on, with
// the standard error of the mean of the per-prompt differences (paired, so the prompts'
// own difficulty cancels out).
struct PairedDifference {
  double difference = 0.0;  // percentage points
  double standard_error = 0.0;
  std::int64_t n = 0;  // prompts judged (not unannotated) for both systems
};

struct LeaderboardEntry {
  std::string name;
  EvaluationCell simulated;
  std::optional<EvaluationCell> human;
  std::optional<double> lc_win_rate;  // from the simulated report
  double avg_length = 0.0;            // characters, from the simulated report
  // Against the baseline system, when one is named and both reports carry per_prompt rows.
  std::optional<PairedDifference> simulated_vs_baseline;
  std::optional<PairedDifference> human_vs_baseline;
};

struct RankCorrelation {
  double spearman = 0.0;
  double pearson = 0.0;
  std::int64_t n_systems = 0;
};

struct Leaderboard {
  std::vector<LeaderboardEntry> systems;  // by simulated win rate, best first
  std::string baseline;                   // the system differences are taken against, or empty
  std::optional<RankCorrelation> rank_correlation;
  std::vector<std::string> notes;  // what was left out or chosen, for people reading it
};

// Fewer systems than this with both columns give no correlation.
inline constexpr std::size_t kMinimumSystemsForCorrelation = 3;

// Groups `reports` (the content of `win_rate` Reports) by their `system`; `role` picks the
// column ("simulated" when absent). A system with several reports of one role uses the
// first and says so in the notes; a system without a simulated report is left out, also
// with a note. Throws paddock::Error naming the report when one lacks `system`, `win_rate`
// or has an unknown role.
// With a `baseline` system name, each other system also gets its paired difference from the
// baseline in both columns (a note says so when the baseline has no reports).
Leaderboard build_leaderboard(std::span<const nlohmann::ordered_json> reports,
                              const std::string& baseline = "");

// {"systems": [...], "rank_correlation": {...} or null, "notes": [...]}, see
// docs/evaluation.md for every key.
nlohmann::ordered_json leaderboard_to_json(const Leaderboard& leaderboard);

// A Markdown table of the leaderboard followed by the correlation.
std::string render_leaderboard_markdown(const Leaderboard& leaderboard, const std::string& title);

}  // namespace paddock::evaluators
