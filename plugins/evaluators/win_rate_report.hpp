// The Report a `win_rate` node writes: the win rate with its standard error and counts,
// output lengths, and optionally the length-controlled win rate. Keys are listed in
// docs/evaluation.md; the leaderboard reads them.
#pragma once

#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

namespace paddock::evaluators {

struct WinRateReportOptions {
  std::string system;
  std::string judge;
  std::string role = "simulated";  // "simulated" or "human"
  bool length_controlled = true;
  double lc_l2_penalty = 0.01;
};

// One entry per judged pair, in the same order in all three spans; an empty preference is
// an unannotated row. Throws paddock::Error when the spans differ in length.
nlohmann::ordered_json make_win_rate_report(const WinRateReportOptions& options,
                                            std::span<const std::optional<int>> preferences,
                                            std::span<const std::string> system_outputs,
                                            std::span<const std::string> reference_outputs);

}  // namespace paddock::evaluators
