// Assembles the win-rate Report from judged rows.
#include "win_rate_report.hpp"

#include <vector>

#include "length_control.hpp"
#include "paddock/error.hpp"
#include "statistics.hpp"
#include "text_length.hpp"
#include "win_rate_statistics.hpp"

namespace paddock::evaluators {

namespace {

nlohmann::ordered_json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

nlohmann::ordered_json make_win_rate_report(const WinRateReportOptions& options,
                                            std::span<const std::optional<int>> preferences,
                                            std::span<const std::string> system_outputs,
                                            std::span<const std::string> reference_outputs) {
  if (preferences.size() != system_outputs.size() ||
      preferences.size() != reference_outputs.size()) {
    throw Error("win rate report: preferences and outputs differ in count");
  }
  std::vector<double> system_characters, system_words, reference_characters, reference_words;
  for (std::size_t i = 0; i < preferences.size(); ++i) {
    system_characters.push_back(static_cast<double>(count_characters(system_outputs[i])));
    system_words.push_back(static_cast<double>(count_words(system_outputs[i])));
    reference_characters.push_back(static_cast<double>(count_characters(reference_outputs[i])));
    reference_words.push_back(static_cast<double>(count_words(reference_outputs[i])));
  }

  const WinRateSummary summary = summarize_preferences(preferences);
  nlohmann::ordered_json report = {
      {"system", options.system},
      {"judge", options.judge},
      {"role", options.role},
      {"win_rate", summary.win_rate},
      {"standard_error", optional_number(summary.standard_error)},
      {"n_wins", summary.n_wins},
      {"n_wins_base", summary.n_wins_base},
      {"n_draws", summary.n_draws},
      {"n_total", summary.n_total},
      {"n_unannotated", summary.n_unannotated},
      {"avg_length", mean(system_characters)},
      {"avg_length_words", mean(system_words)},
      {"reference_avg_length", mean(reference_characters)},
      {"reference_avg_length_words", mean(reference_words)},
      {"length_unit",
       "characters (Unicode code points); words are runs of non-whitespace. Tokens are not "
       "reported: they depend on each model's tokenizer."},
  };

  report["lc_win_rate"] = nullptr;
  report["lc_standard_error"] = nullptr;
  if (options.length_controlled) {
    if (auto lc = length_controlled_win_rate(preferences, system_characters, reference_characters,
                                             options.lc_l2_penalty)) {
      report["lc_win_rate"] = lc->win_rate;
      report["lc_standard_error"] = optional_number(lc->standard_error);
      report["lc_model"] = {
          {"system_term", lc->system_term},
          {"length_term", lc->length_term},
          {"length_scale_characters", lc->length_scale},
          {"l2_penalty", options.lc_l2_penalty},
          {"converged", lc->converged},
          {"standard_error_method", "delta method on the intercept"},
      };
    }
  }
  return report;
}

}  // namespace paddock::evaluators
