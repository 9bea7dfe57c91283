// Assembles report.html from the leaderboard and the metrics stream.
#include "html_report.hpp"

#include <map>
#include <set>

#include "markup.hpp"
#include "svg_charts.hpp"

namespace paddock::evaluators {

namespace {

namespace keys = overoptimisation_keys;

constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 2em auto;
       max-width: 1200px; padding: 0 1em; color: #222; background: #fff; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
table.leaderboard { border-collapse: collapse; font-size: 0.92em; }
table.leaderboard th, table.leaderboard td { padding: 4px 10px; border-bottom: 1px solid #e4e4e4; }
table.leaderboard th { background: #f3f3f3; text-align: left; }
table.leaderboard td.number { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #777; } .notes li { color: #555; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { background: #fcfcfc; border: 1px solid #eee; }
svg.chart text { font-size: 11px; fill: #333; }
svg.chart text.chart-title { font-size: 13px; font-weight: bold; }
svg.chart text.point-label, svg.chart text.legend { font-size: 10px; }
svg.chart .grid { stroke: #e8e8e8; stroke-width: 1; }
svg.chart .axis { stroke: #888; stroke-width: 1; }
svg.chart .error-bar { stroke: #222; stroke-width: 1.3; }
svg.chart .reference-line { stroke: #c33; stroke-width: 1; stroke-dasharray: 4 3; }
svg.chart path.series { fill: none; stroke-width: 1.8; }
)";

std::string cell_html(const std::optional<EvaluationCell>& cell) {
  if (!cell) return "<td class=\"number muted\">–</td><td class=\"number muted\">–</td>";
  return "<td class=\"number\">" + format_fixed(cell->win_rate, 1) + " ± " +
         format_fixed(cell->standard_error, 1) + "</td><td class=\"number\">" +
         std::to_string(cell->n) + "</td>";
}

std::string leaderboard_table(const Leaderboard& leaderboard) {
  std::string html =
      "<table class=\"leaderboard\" id=\"leaderboard\"><thead><tr><th>Rank</th><th>System</th>"
      "<th>Simulated win rate</th><th>n</th><th>Human win rate</th><th>n</th>"
      "<th>LC win rate</th><th>Avg length (chars)</th><th>Simulated judge</th></tr></thead><tbody>";
  int rank = 0;
  for (const auto& entry : leaderboard.systems) {
    html += "<tr><td class=\"number\">" + std::to_string(++rank) + "</td><td>" +
            escape_html(entry.name) + "</td>" + cell_html(entry.simulated) +
            cell_html(entry.human) + "<td class=\"number\">" +
            (entry.lc_win_rate ? format_fixed(*entry.lc_win_rate, 1) : std::string("–")) +
            "</td><td class=\"number\">" + format_fixed(entry.avg_length, 0) + "</td><td>" +
            escape_html(entry.simulated.judge) + "</td></tr>";
  }
  html += "</tbody></table>";
  if (leaderboard.rank_correlation) {
    html += "<p id=\"rank-correlation\">Simulated against human win rates across " +
            std::to_string(leaderboard.rank_correlation->n_systems) + " systems: <b>Spearman " +
            format_fixed(leaderboard.rank_correlation->spearman, 3) + "</b>, Pearson " +
            format_fixed(leaderboard.rank_correlation->pearson, 3) + ".</p>";
  } else {
    html += "<p id=\"rank-correlation\" class=\"muted\">No rank correlation: fewer than " +
            std::to_string(kMinimumSystemsForCorrelation) +
            " systems have both a simulated and a human win rate, or one column does not "
            "vary.</p>";
  }
  if (!leaderboard.notes.empty()) {
    html += "<ul class=\"notes\">";
    for (const auto& note : leaderboard.notes) html += "<li>" + escape_html(note) + "</li>";
    html += "</ul>";
  }
  return html;
}

std::string win_rate_charts(const Leaderboard& leaderboard) {
  BarChart simulated{"Simulated win rate (%) ± SE", {}, 100.0, 50.0, series_colour(0)};
  BarChart human{"Human win rate (%) ± SE", {}, 100.0, 50.0, series_colour(1)};
  for (const auto& entry : leaderboard.systems) {
    simulated.bars.push_back(
        {entry.name, entry.simulated.win_rate, entry.simulated.standard_error});
    if (entry.human)
      human.bars.push_back({entry.name, entry.human->win_rate, entry.human->standard_error});
  }
  std::string html = "<div class=\"charts\">" + render_bar_chart(simulated);
  if (!human.bars.empty()) html += render_bar_chart(human);
  html += "</div>";

  ScatterChart scatter{"Output length against win rate",
                       "average output length (characters)",
                       "win rate (%)",
                       {"simulated", "human"},
                       {}};
  for (const auto& entry : leaderboard.systems) {
    scatter.points.push_back({entry.name, entry.avg_length, entry.simulated.win_rate, 0});
    if (entry.human)
      scatter.points.push_back({entry.name, entry.avg_length, entry.human->win_rate, 1});
  }
  html +=
      "<h2 id=\"length\">Output length and win rate</h2><p class=\"muted\">Judges, human "
      "and simulated, tend to prefer longer outputs; a system far to the right that wins "
      "mostly by length shows it in a low LC win rate.</p><div class=\"charts\">" +
      render_scatter_chart(scatter) + "</div>";
  return html;
}

// Pairs the values of two series at the steps both have.
std::vector<std::pair<double, double>> pair_by_step(const MetricSeries& x_series,
                                                    const MetricSeries& y_series) {
  std::map<double, double> x_at(x_series.points.begin(), x_series.points.end());
  std::vector<std::pair<double, double>> paired;
  for (const auto& [step, value] : y_series.points) {
    if (auto found = x_at.find(step); found != x_at.end()) paired.push_back({found->second, value});
  }
  std::sort(paired.begin(), paired.end());
  return paired;
}

std::string overoptimisation_section(const MetricsStreamContents& metrics,
                                     const HtmlReportOptions& options) {
  std::set<std::string> nodes;
  for (const auto& series : metrics.series) {
    if (series.key == keys::kHumanWinRate || series.key == keys::kProxyReward) {
      nodes.insert(series.node);
    }
  }
  std::string charts;
  for (const std::string& node : nodes) {
    const MetricSeries* human = find_series(metrics, node, keys::kHumanWinRate);
    const MetricSeries* simulated = find_series(metrics, node, keys::kSimulatedWinRate);
    const MetricSeries* proxy = find_series(metrics, node, keys::kProxyReward);
    const MetricSeries* kl = find_series(metrics, node, keys::kKl);
    if (!human || !proxy) continue;  // the chart is about the two together
    const std::size_t limit = options.max_points_per_curve;
    LineChart by_step{node + ": proxy reward and human win rate",
                      "step",
                      "win rate (%)",
                      "proxy reward",
                      {},
                      560,
                      300};
    by_step.series.push_back({"human win rate", thin_points(human->points, limit), false});
    if (simulated) {
      by_step.series.push_back(
          {"simulated win rate", thin_points(simulated->points, limit), false});
    }
    by_step.series.push_back({"proxy reward", thin_points(proxy->points, limit), true});
    charts += render_line_chart(by_step);
    if (kl) {
      LineChart by_kl{node + ": against KL to the reference policy",
                      "KL(policy || reference)",
                      "win rate (%)",
                      "proxy reward",
                      {},
                      560,
                      300};
      by_kl.series.push_back(
          {"human win rate", thin_points(pair_by_step(*kl, *human), limit), false});
      by_kl.series.push_back({"proxy reward", thin_points(pair_by_step(*kl, *proxy), limit), true});
      if (!by_kl.series[0].points.empty() && !by_kl.series[1].points.empty()) {
        charts += render_line_chart(by_kl);
      }
    }
  }
  std::string html = "<h2 id=\"overoptimisation\">Reward over-optimisation</h2>";
  if (charts.empty()) {
    return html + "<p class=\"muted\">No learner wrote both <code>" +
           std::string(keys::kProxyReward) + "</code> and <code>" + keys::kHumanWinRate +
           "</code> to the metrics stream.</p>";
  }
  return html +
         "<p class=\"muted\">As training against the proxy reward goes on, the proxy reward "
         "keeps rising while the human win rate peaks and then falls.</p><div class=\"charts\">" +
         charts + "</div>";
}

std::string training_curves_section(const MetricsStreamContents& metrics,
                                    const HtmlReportOptions& options) {
  std::string html = "<h2 id=\"training-curves\">Training curves</h2>";
  std::size_t drawn = 0, left_out = 0;
  std::string current_node;
  std::string body;
  for (const auto& series : metrics.series) {
    if (series.points.size() < 2) continue;  // a single value is no curve
    if (drawn >= options.max_curve_charts) {
      ++left_out;
      continue;
    }
    if (series.node != current_node) {
      if (!current_node.empty()) body += "</div>";
      current_node = series.node;
      body += "<h3>" + escape_html(current_node) + "</h3><div class=\"charts\">";
    }
    LineChart chart{series.key, "step", "", "", {}, 300, 200};
    chart.series.push_back(
        {series.key, thin_points(series.points, options.max_points_per_curve), false});
    body += render_line_chart(chart);
    ++drawn;
  }
  if (!current_node.empty()) body += "</div>";
  if (drawn == 0) {
    return html +
           "<p class=\"muted\">The metrics stream holds no series with two or more steps.</p>";
  }
  html += body;
  if (left_out > 0) {
    html += "<p class=\"muted\">" + std::to_string(left_out) +
            " more series are not drawn (at most " + std::to_string(options.max_curve_charts) +
            " charts); they are in metrics.jsonl.</p>";
  }
  if (metrics.skipped_lines > 0) {
    html += "<p class=\"muted\">" + std::to_string(metrics.skipped_lines) +
            " lines of metrics.jsonl were malformed or held no finite value and were skipped.</p>";
  }
  return html;
}

}  // namespace

std::string render_report_html(const Leaderboard& leaderboard, const MetricsStreamContents& metrics,
                               const HtmlReportOptions& options) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  html += "<title>" + escape_html(options.title) + "</title><style>" + kStyle + "</style></head>";
  html += "<body><h1>" + escape_html(options.title) + "</h1>";
  html +=
      "<p class=\"muted\">Win rates are against the reference outputs, in percent, with ties "
      "counting half, ± one standard error of the mean. LC = length-controlled win rate "
      "(the win rate predicted at equal output lengths). See docs/evaluation.md.</p>";
  html += "<h2 id=\"leaderboard-section\">Leaderboard</h2>" + leaderboard_table(leaderboard);
  html += "<h2 id=\"win-rates\">Win rates</h2>" + win_rate_charts(leaderboard);
  html += overoptimisation_section(metrics, options);
  html += training_curves_section(metrics, options);
  html += "</body></html>\n";
  return html;
}

}  // namespace paddock::evaluators
