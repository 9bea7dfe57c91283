// leaderboard.md: the leaderboard as a Markdown table.
#include "leaderboard.hpp"
#include "markup.hpp"

namespace paddock::evaluators {

namespace {

std::string cell_text(const EvaluationCell& cell) {
  return format_fixed(cell.win_rate, 1) + " ± " + format_fixed(cell.standard_error, 1);
}

}  // namespace

std::string render_leaderboard_markdown(const Leaderboard& leaderboard, const std::string& title) {
  std::string text = "# " + escape_markdown_cell(title) + "\n\n";
  text +=
      "Win rates against the reference, in percent (ties count half), ± one standard "
      "error. LC = length-controlled win rate. Lengths are in characters.\n\n";
  const bool with_baseline = !leaderboard.baseline.empty();
  if (with_baseline) {
    text += "Δ human vs " + escape_markdown_cell(leaderboard.baseline) +
            ": the human win rate minus the baseline's on the same prompts, ± the paired "
            "standard error.\n\n";
  }
  text += "| Rank | System | Simulated | n | Human | n |";
  if (with_baseline) text += " Δ human vs " + escape_markdown_cell(leaderboard.baseline) + " |";
  text += " LC win rate | Avg length |\n";
  text += with_baseline ? "|---:|---|---:|---:|---:|---:|---:|---:|---:|\n"
                        : "|---:|---|---:|---:|---:|---:|---:|---:|\n";
  int rank = 0;
  for (const auto& entry : leaderboard.systems) {
    text += "| " + std::to_string(++rank) + " | " + escape_markdown_cell(entry.name) + " | " +
            cell_text(entry.simulated) + " | " + std::to_string(entry.simulated.n) + " | ";
    text += entry.human ? cell_text(*entry.human) + " | " + std::to_string(entry.human->n)
                        : std::string("– | –");
    if (with_baseline) {
      const auto& difference = entry.human_vs_baseline;
      text += " | " + (difference ? (difference->difference >= 0 ? "+" : "") +
                                        format_fixed(difference->difference, 1) + " ± " +
                                        format_fixed(difference->standard_error, 1)
                                  : std::string("–"));
    }
    text += " | " + (entry.lc_win_rate ? format_fixed(*entry.lc_win_rate, 1) : std::string("–"));
    text += " | " + format_fixed(entry.avg_length, 0) + " |\n";
  }
  text += "\n";
  if (leaderboard.rank_correlation) {
    text += "Simulated vs human across " + std::to_string(leaderboard.rank_correlation->n_systems) +
            " systems: Spearman " + format_fixed(leaderboard.rank_correlation->spearman, 3) +
            ", Pearson " + format_fixed(leaderboard.rank_correlation->pearson, 3) + ".\n";
  } else {
    text += "Simulated vs human: no correlation (fewer than " +
            std::to_string(kMinimumSystemsForCorrelation) +
            " systems with both, or no variation).\n";
  }
  if (!leaderboard.notes.empty()) {
    text += "\nNotes:\n\n";
    for (const auto& note : leaderboard.notes) text += "- " + escape_markdown_cell(note) + "\n";
  }
  return text;
}

}  // namespace paddock::evaluators
