// `leaderboard`: collects win-rate Reports into one table per system and writes
// <run directory>/report/leaderboard.json, leaderboard.md and report.html.
#include "atomic_file.hpp"
#include "evaluator_nodes.hpp"
#include "html_report.hpp"
#include "leaderboard.hpp"
#include "metrics_stream.hpp"
#include "paddock/report.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::evaluators {

namespace {

struct LeaderboardSettings {
  std::string title = "Paddock leaderboard";
  std::string baseline;
  std::int64_t max_curve_charts = 48;
  std::int64_t max_points_per_curve = 400;
};

SettingsSchema<LeaderboardSettings> leaderboard_schema() {
  using S = LeaderboardSettings;
  SettingsSchema<S> schema;
  schema.text("title", &S::title, "the heading of leaderboard.md and report.html")
      .text("baseline", &S::baseline,
            "a system to compare every other one with, prompt by prompt: the win-rate "
            "difference and its paired standard error (empty = none)")
      .integer("max_curve_charts", &S::max_curve_charts, "training-curve charts drawn at most",
               /*minimum=*/0.0)
      .integer("max_points_per_curve", &S::max_points_per_curve,
               "longer curves are thinned evenly to this many", /*minimum=*/2.0);
  return schema;
}

void run_leaderboard(NodeContext& context) {
  const LeaderboardSettings settings = leaderboard_schema().read(context.params());
  std::vector<nlohmann::ordered_json> contents;
  for (const auto& artifact : context.inputs("reports")) {
    auto report = std::dynamic_pointer_cast<Report>(artifact);
    if (!report) throw Error("input 'reports' holds an artifact that is not a Report");
    contents.push_back(report->content());
  }
  const Leaderboard leaderboard = build_leaderboard(contents, settings.baseline);
  for (const auto& note : leaderboard.notes) context.log().warn("{}", note);

  const std::filesystem::path directory = context.run_directory() / "report";
  const MetricsStreamContents metrics =
      read_metrics_stream(context.run_directory() / "metrics.jsonl");
  HtmlReportOptions options;
  options.title = settings.title;
  options.max_curve_charts = static_cast<std::size_t>(settings.max_curve_charts);
  options.max_points_per_curve = static_cast<std::size_t>(settings.max_points_per_curve);

  nlohmann::ordered_json json = leaderboard_to_json(leaderboard);
  std::string markdown = render_leaderboard_markdown(leaderboard, options.title);
  // Reports that travel with the table as they are: the reward model's measures and the
  // systems' task correctness.
  for (const char* port : {"reward_model", "task_scores"}) {
    if (!context.has_input(port)) continue;
    json[port] = context.input<Report>(port)->content();
    markdown += "\n## " + std::string(port) + "\n\n```json\n" + json[port].dump(2) + "\n```\n";
  }
  write_file_atomically(directory / "leaderboard.json", json.dump(2) + "\n");
  write_file_atomically(directory / "leaderboard.md", markdown);
  write_file_atomically(directory / "report.html",
                        render_report_html(leaderboard, metrics, options));
  context.log().info("{} systems; wrote {}", leaderboard.systems.size(),
                     (directory / "report.html").string());
  context.set_output("report", std::make_shared<Report>(std::move(json)));
}

}  // namespace

NodeTypeSpec leaderboard_node_type() {
  NodeTypeSpec spec;
  spec.name = "leaderboard";
  spec.kind = NodeKind::evaluator;
  spec.summary = "Collects win-rate reports into a leaderboard and a self-contained report.html.";
  spec.doc =
      "Groups the reports by system (simulated and human columns by their `role`), correlates "
      "the two columns across systems (Spearman, Pearson) and writes report/leaderboard.json, "
      "report/leaderboard.md and report/report.html in the pipeline's workdir. report.html "
      "also draws the training curves of metrics.jsonl and the over-optimisation curve. See "
      "docs/evaluation.md.";
  spec.inputs = {
      {"reports", "Report", "reports of win_rate nodes", /*optional=*/false, /*multiple=*/true},
      {"reward_model", "Report", "a reward_eval report, copied into leaderboard.json",
       /*optional=*/true},
      {"task_scores", "Report", "a world_task_scores report, copied into leaderboard.json",
       /*optional=*/true},
  };
  spec.outputs = {{"report", "Report", "the leaderboard JSON (as leaderboard.json)"}};
  spec.params = leaderboard_schema().specs();
  return make_node_type(std::move(spec), run_leaderboard);
}

}  // namespace paddock::evaluators
