// report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the
// leaderboard table, win-rate bar charts with error bars, output length against win rate,
// the over-optimisation curves and every node's training curves from metrics.jsonl.
#pragma once

#include <cstddef>
#include <string>

#include "leaderboard.hpp"
#include "metrics_stream.hpp"

namespace paddock::evaluators {

// Metric keys the over-optimisation chart reads (see docs/evaluation.md). A learner that
// evaluates its checkpoints writes them with context.metric(step, key, value).
namespace overoptimisation_keys {
inline constexpr const char* kHumanWinRate = "eval/human_win_rate";  // gold/human judge, percent
inline constexpr const char* kSimulatedWinRate = "eval/simulated_win_rate";  // optional, percent
inline constexpr const char* kProxyReward = "reward/proxy";  // mean proxy reward of the rollouts
inline constexpr const char* kKl = "objective/kl";           // KL(policy || reference), optional
}  // namespace overoptimisation_keys

struct HtmlReportOptions {
  std::string title = "Paddock leaderboard";
  std::size_t max_curve_charts = 48;       // training-curve charts drawn at most
  std::size_t max_points_per_curve = 400;  // longer series are thinned evenly
};

std::string render_report_html(const Leaderboard& leaderboard, const MetricsStreamContents& metrics,
                               const HtmlReportOptions& options);

}  // namespace paddock::evaluators
