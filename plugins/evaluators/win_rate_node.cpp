// `win_rate`: joins a system's outputs with the reference outputs on (instruction, input),
// has the judge compare each pair (reference as output_1, system as output_2), and reports
// the win rate, its standard error, counts, lengths and the length-controlled win rate.
#include <algorithm>
#include <cstdio>

#include "evaluator_nodes.hpp"
#include "markup.hpp"
#include "paddock/annotation_outage.hpp"
#include "paddock/annotator.hpp"
#include "paddock/dataset.hpp"
#include "paddock/report.hpp"
#include "paddock/seed.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "pair_join.hpp"
#include "win_rate_report.hpp"

namespace paddock::evaluators {

namespace {

constexpr std::size_t kUnmatchedExamples = 5;

struct WinRateSettings {
  std::string system;
  std::string role = "simulated";
  std::int64_t batch_size = 32;
  bool length_controlled = true;
  double lc_l2_penalty = 0.01;
  bool require_all_matched = false;
  OutageSettings outage;
};

SettingsSchema<WinRateSettings> win_rate_schema() {
  using S = WinRateSettings;
  SettingsSchema<S> schema;
  schema
      .text("system", &S::system,
            "the system's name in reports; empty takes the outputs' `generator` column, "
            "else the node's name")
      .text("role", &S::role,
            "which leaderboard column this evaluation fills: a simulated judge or "
            "(gold) human annotators",
            {"simulated", "human"})
      .integer("batch_size", &S::batch_size, "pairs handed to the judge per call",
               /*minimum=*/1.0)
      .boolean("length_controlled", &S::length_controlled,
               "also fit the length-controlled win rate")
      .number("lc_l2_penalty", &S::lc_l2_penalty,
              "L2 penalty on the length-control regression's two coefficients",
              /*minimum=*/1e-6)
      .boolean("require_all_matched", &S::require_all_matched,
               "fail when an output or reference row has no partner, instead of judging "
               "only the matched rows")
      .group(&S::outage, outage_schema("report"));
  return schema;
}

// The `system` parameter, else the outputs' `generator` column, else the node's name.
std::string system_name(NodeContext& context, const WinRateSettings& settings,
                        const Dataset& outputs) {
  std::string name = settings.system;
  if (!name.empty()) return name;
  if (!outputs.empty()) {
    if (auto generator = outputs[0].find("generator");
        generator != outputs[0].end() && generator->is_string() &&
        !generator->get_ref<const std::string&>().empty()) {
      return generator->get<std::string>();
    }
  }
  return context.node_name();
}

nlohmann::ordered_json unmatched_examples(const Dataset& data,
                                          const std::vector<std::size_t>& rows) {
  nlohmann::ordered_json examples = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < rows.size() && i < kUnmatchedExamples; ++i) {
    examples.push_back({{"row", rows[i] + 1}, {"instruction", describe_row(data[rows[i]])}});
  }
  return examples;
}

// Each judged prompt's key (fnv1a_64 of instruction \x1f input, in hex) and preference, so
// the leaderboard can pair two systems' judgements prompt by prompt (paired differences).
nlohmann::ordered_json per_prompt_preferences(const std::vector<PreferencePair>& pairs,
                                              const std::vector<std::optional<int>>& preferences) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    char key[17];
    std::snprintf(
        key, sizeof key, "%016llx",
        static_cast<unsigned long long>(fnv1a_64(pairs[i].instruction + '\x1f' + pairs[i].input)));
    rows.push_back({{"key", key},
                    {"preference", preferences[i] ? nlohmann::ordered_json(*preferences[i])
                                                  : nlohmann::ordered_json(nullptr)}});
  }
  return rows;
}

// The judge's answers for every pair, in order. An outage (the judge's requests failed
// after their retries) beyond `max_failed_share` fails the node as soon as it shows.
std::vector<Annotation> judge_in_batches(NodeContext& context, Annotator& judge,
                                         const std::vector<PreferencePair>& pairs,
                                         std::size_t batch_size, const UnansweredPairs& before,
                                         double max_failed_share) {
  std::vector<Annotation> annotations;
  annotations.reserve(pairs.size());
  auto progress = context.progress("pairs judged", pairs.size());
  for (std::size_t start = 0; start < pairs.size(); start += batch_size) {
    context.throw_if_cancelled();
    const std::size_t count = std::min(batch_size, pairs.size() - start);
    std::vector<Annotation> batch = judge.annotate(std::span(pairs).subspan(start, count));
    if (batch.size() != count) {
      throw Error("judge '" + judge.name() + "' returned " + std::to_string(batch.size()) +
                  " annotations for " + std::to_string(count) + " pairs (rows " +
                  std::to_string(start + 1) + " to " + std::to_string(start + count) +
                  "); an Annotator must return exactly one per pair");
    }
    for (std::size_t i = 0; i < count; ++i) {
      const auto& preference = batch[i].preference;
      if (preference && (*preference < 0 || *preference > 2)) {
        throw Error("judge '" + judge.name() + "' gave preference " + std::to_string(*preference) +
                    " for pair " + std::to_string(start + i + 1) +
                    "; preferences are 0 (tie), 1, 2 or empty");
      }
      annotations.push_back(std::move(batch[i]));
    }
    progress->advance(count);
    check_failed_share("win_rate", judge, unanswered_since(judge, before, pairs.size()).failed,
                       pairs.size(), max_failed_share);
  }
  progress->finish();
  return annotations;
}

void run_win_rate(NodeContext& context) {
  const auto outputs = context.input<Dataset>("outputs");
  const auto reference = context.input<Dataset>("reference");
  const auto judge = context.input<Annotator>("judge");
  const WinRateSettings settings = win_rate_schema().read(context.params());

  JoinedPairs joined = join_on_instruction(*outputs, *reference);
  const std::size_t unmatched_outputs = joined.unmatched_output_rows.size();
  const std::size_t unmatched_reference = joined.unmatched_reference_rows.size();
  if (unmatched_outputs > 0 || unmatched_reference > 0) {
    std::string message = std::to_string(unmatched_outputs) + " of " +
                          std::to_string(outputs->size()) +
                          " output rows have no reference row with the same (instruction, input)";
    if (unmatched_outputs > 0) {
      message += " (first: row " + std::to_string(joined.unmatched_output_rows[0] + 1) + ", \"" +
                 describe_row((*outputs)[joined.unmatched_output_rows[0]]) + "\")";
    }
    message += "; " + std::to_string(unmatched_reference) + " of " +
               std::to_string(reference->size()) + " reference rows have no output";
    if (settings.require_all_matched) {
      throw Error(message +
                  "; evaluate on the reference's instructions, or set "
                  "require_all_matched = false to judge only the matched rows");
    }
    context.log().warn("{}; only the {} matched rows are judged", message, joined.pairs.size());
  }
  if (joined.pairs.empty()) {
    throw Error("no output row matches a reference row on (instruction, input): " +
                std::to_string(outputs->size()) + " output rows, " +
                std::to_string(reference->size()) +
                " reference rows; are the outputs generated from the reference's instructions?");
  }

  const std::string judge_name = judge->name();
  const double max_failed_share = settings.outage.max_failed_share;
  const UnansweredPairs before = unanswered_pairs(*judge);
  const auto annotations =
      judge_in_batches(context, *judge, joined.pairs, static_cast<std::size_t>(settings.batch_size),
                       before, max_failed_share);

  std::vector<std::optional<int>> preferences;
  std::vector<std::string> system_outputs, reference_outputs;
  auto annotated = std::make_shared<Dataset>();
  for (std::size_t i = 0; i < joined.pairs.size(); ++i) {
    const PreferencePair& pair = joined.pairs[i];
    preferences.push_back(annotations[i].preference);
    system_outputs.push_back(pair.output_2);
    reference_outputs.push_back(pair.output_1);
    Record row = {{"instruction", pair.instruction},
                  {"input", pair.input},
                  {"output_1", pair.output_1},
                  {"output_2", pair.output_2}};
    row["preference"] =
        annotations[i].preference ? Record(*annotations[i].preference) : Record(nullptr);
    row["annotator"] = annotations[i].annotator.empty() ? judge_name : annotations[i].annotator;
    annotated->add(std::move(row));
  }

  WinRateReportOptions options;
  options.system = system_name(context, settings, *outputs);
  options.judge = judge_name;
  options.role = settings.role;
  options.length_controlled = settings.length_controlled;
  options.lc_l2_penalty = settings.lc_l2_penalty;
  nlohmann::ordered_json report =
      make_win_rate_report(options, preferences, system_outputs, reference_outputs);
  report["per_prompt"] = per_prompt_preferences(joined.pairs, preferences);
  report["n_unmatched_outputs"] = unmatched_outputs;
  report["n_unmatched_reference"] = unmatched_reference;
  report["unmatched_output_examples"] = unmatched_examples(*outputs, joined.unmatched_output_rows);
  report["unmatched_reference_examples"] =
      unmatched_examples(*reference, joined.unmatched_reference_rows);

  const double win_rate = report["win_rate"].get<double>();
  context.metric(/*step=*/0, "win_rate", win_rate);
  if (report["lc_win_rate"].is_number()) {
    context.metric(/*step=*/0, "lc_win_rate", report["lc_win_rate"].get<double>());
  }
  context.log().info(
      "{} vs reference, judged by {} ({}): win rate {:.1f} over {} rows ({} "
      "unannotated), LC {}",
      options.system, judge_name, options.role, win_rate, report["n_total"].get<std::int64_t>(),
      report["n_unannotated"].get<std::int64_t>(),
      report["lc_win_rate"].is_number() ? format_fixed(report["lc_win_rate"].get<double>(), 1)
                                        : std::string("-"));
  context.set_output("report", std::make_shared<Report>(std::move(report)));
  context.set_output("annotations", annotated);
  mark_incomplete_if_unanswered(context, *judge,
                                unanswered_since(*judge, before, joined.pairs.size()),
                                joined.pairs.size(), max_failed_share);
}

}  // namespace

NodeTypeSpec win_rate_node_type() {
  NodeTypeSpec spec;
  spec.name = "win_rate";
  spec.kind = NodeKind::evaluator;
  spec.summary = "Win rate of a system's outputs against reference outputs, by a judge.";
  spec.doc =
      "Joins `outputs` with `reference` on (instruction, input) and asks the judge about each "
      "pair with output_1 = reference and output_2 = system output (preference 2 = the system "
      "wins). Reports win_rate = mean(preference - 1, ties 0.5) * 100 with its standard error, "
      "n_wins, n_wins_base, n_draws, n_total, n_unannotated, average output lengths in "
      "characters and words, unmatched rows, and the length-controlled win rate. See "
      "docs/evaluation.md.";
  spec.inputs = {
      {"outputs", "Dataset", "the system's outputs: instruction, input, output (+ any columns)"},
      {"reference", "Dataset", "the reference outputs: instruction, input, output"},
      {"judge", "Annotator", "the judge comparing reference and system output"},
  };
  spec.outputs = {
      {"report", "Report", "win rate, standard error, counts, lengths, LC win rate"},
      {"annotations", "Dataset",
       "per pair: instruction, input, output_1 (reference), output_2 (system), preference, "
       "annotator"},
  };
  spec.params = win_rate_schema().specs();
  return make_node_type(std::move(spec), run_win_rate);
}

}  // namespace paddock::evaluators
