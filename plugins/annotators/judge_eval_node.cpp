// `judge_eval`: a judge against reference annotations, with alpaca_eval's evaluator
// leaderboard columns (agreement, biases, price and time per 1000 annotations).
#include <chrono>
#include <memory>
#include <unordered_map>

#include "annotator_nodes.hpp"
#include "judge_evaluation.hpp"
#include "paddock/annotation_outage.hpp"
#include "paddock/dataset.hpp"
#include "paddock/report.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "pair_key.hpp"
#include "pair_records.hpp"
#include "usage_reports.hpp"

#include <spdlog/fmt/fmt.h>

namespace paddock::annotators {
namespace {

std::optional<int> reference_label(const Record& record) {
  const auto found = record.find("preference");
  if (found == record.end() || !found->is_number()) return std::nullopt;
  const double value = found->get<double>();
  if (value == 1.0) return 1;
  if (value == 2.0) return 2;
  if (value == 0.0 || value == 1.5) return 0;
  return std::nullopt;
}

nlohmann::ordered_json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

struct JudgeEvalSettings {
  std::int64_t batch_size = 32;
  OutageSettings outage;
};

SettingsSchema<JudgeEvalSettings> judge_eval_schema() {
  using S = JudgeEvalSettings;
  SettingsSchema<S> schema;
  schema.integer("batch_size", &S::batch_size, "pairs per call to the judge", /*minimum=*/1.0)
      .group(&S::outage, outage_schema("report"));
  return schema;
}

void run_judge_eval(NodeContext& context) {
  const auto judge = context.input<Annotator>("judge");
  const auto reference = context.input<Dataset>("reference");
  const JudgeEvalSettings settings = judge_eval_schema().read(context.params());
  const auto batch_size = static_cast<std::size_t>(settings.batch_size);
  const double max_failed_share = settings.outage.max_failed_share;

  std::vector<ReferenceRow> rows;
  std::vector<PreferencePair> pairs;
  std::vector<std::size_t> pair_of_row;
  std::unordered_map<std::string, std::size_t> pair_index;
  std::size_t unlabelled = 0;
  for (std::size_t row = 0; row < reference->size(); ++row) {
    const Record& record = (*reference)[row];
    const auto label = reference_label(record);
    if (!label) {
      ++unlabelled;
      continue;
    }
    PreferencePair pair = pair_from_record(record, row, "reference");
    const auto [where, inserted] = pair_index.emplace(pair_key(pair), pairs.size());
    if (inserted) pairs.push_back(pair);
    pair_of_row.push_back(where->second);
    rows.push_back({std::move(pair), *label});
  }
  if (unlabelled > 0) {
    context.log().warn("{} reference rows have no preference 0, 1, 2 (or 1.5) and are ignored",
                       unlabelled);
  }

  ScopedCancelCheck cancel_check(*judge, [&context] { return context.cancelled(); });
  const UnansweredPairs before = unanswered_pairs(*judge);
  std::vector<std::optional<int>> judged(pairs.size());
  auto progress = context.progress("pairs", pairs.size());
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t start = 0; start < pairs.size(); start += batch_size) {
    context.throw_if_cancelled();
    const std::size_t count = std::min(batch_size, pairs.size() - start);
    const auto answers =
        judge->annotate(std::span<const PreferencePair>(pairs).subspan(start, count));
    if (answers.size() != count) {
      throw Error("judge_eval: judge '" + judge->name() + "' returned " +
                  std::to_string(answers.size()) + " annotations for " + std::to_string(count));
    }
    for (std::size_t k = 0; k < count; ++k) judged[start + k] = answers[k].preference;
    progress->advance(count);
    // An outage must not pass for the judge's disagreement: unanswered pairs are not its
    // verdicts. Stop paying once it already fails the node.
    check_failed_share("judge_eval", *judge, unanswered_since(*judge, before, pairs.size()).failed,
                       pairs.size(), max_failed_share);
  }
  progress->finish();
  context.throw_if_cancelled();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const JudgeEvaluation evaluation = evaluate_judge(rows, pairs, pair_of_row, judged);
  const std::optional<AnnotatorUsage> usage = reported_usage(*judge);
  nlohmann::ordered_json report = {
      {"judge", judge->name()},
      {"n_reference_rows", evaluation.n_reference_rows},
      {"n_pairs", evaluation.n_pairs},
      {"n_parsed", evaluation.n_parsed},
      {"n_unannotated", evaluation.n_pairs - evaluation.n_parsed},
      {"human_agreement", optional_number(evaluation.agreement)},
      {"agreement_with_majority", optional_number(evaluation.agreement_with_majority)},
      {"prefer_longer", optional_number(evaluation.judge.prefer_longer)},
      {"prefer_first", optional_number(evaluation.judge.prefer_first)},
      {"prefer_lists", optional_number(evaluation.judge.prefer_lists)},
  };
  // Price and time per 1000 annotations from the judge's own usage where it reports one (per
  // annotation its paid work produced, cache hits excluded); without it the price is unknown
  // and the time is this node's wall time per parsed pair.
  const auto rate = [](double value) {
    return value >= 0 ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
  };
  report["price_per_1000"] = usage && usage->dollars_known
                                 ? rate(per_1000_annotations(usage->dollars, usage->annotations))
                                 : nlohmann::ordered_json(nullptr);
  report["time_per_1000"] =
      usage && usage->annotations > 0
          ? rate(per_1000_annotations(usage->seconds, usage->annotations))
          : rate(per_1000_annotations(seconds, static_cast<std::int64_t>(evaluation.n_parsed)));
  report["wall_seconds"] = seconds;
  report["reference_biases"] = biases_to_json(evaluation.reference);
  report["judge_biases"] = biases_to_json(evaluation.judge);
  if (usage) report["judge_usage"] = usage_to_json(*usage);

  const auto show = [](const nlohmann::ordered_json& value, double scale) {
    return value.is_number() ? fmt::format("{:.1f}", value.get<double>() * scale)
                             : std::string("-");
  };
  context.log().info(
      "judge {}: agreement {}% over {} reference rows ({} pairs, {} parsed); P(longer) {}%, "
      "P(first) {}%, P(lists) {}%; ${} and {} s per 1000",
      judge->name(), show(report["human_agreement"], 100), evaluation.n_reference_rows,
      evaluation.n_pairs, evaluation.n_parsed, show(report["prefer_longer"], 100),
      show(report["prefer_first"], 100), show(report["prefer_lists"], 100),
      show(report["price_per_1000"], 1), show(report["time_per_1000"], 1));
  if (evaluation.agreement) context.metric(0, "human_agreement", *evaluation.agreement);
  context.set_output("report", std::make_shared<Report>(std::move(report)));
  mark_incomplete_if_unanswered(context, *judge, unanswered_since(*judge, before, pairs.size()),
                                pairs.size(), max_failed_share);
}

}  // namespace

NodeTypeSpec judge_eval_node_type() {
  NodeTypeSpec spec;
  spec.name = "judge_eval";
  spec.kind = NodeKind::evaluator;
  spec.summary = "A judge's agreement with reference annotations, its biases, cost and time.";
  spec.doc =
      "Asks the judge about each distinct pair of the reference (rows with preference 0, 1, "
      "2 or 1.5) and reports human_agreement (1 equal, 0.5 when one side is a tie, 0 "
      "opposite; averaged over reference rows), agreement_with_majority, prefer_longer, "
      "prefer_first, prefer_lists (null when no pair has exactly one list), price_per_1000 "
      "and time_per_1000, and the same biases for the reference labels. See "
      "docs/annotators.md.";
  spec.inputs = {{"judge", "Annotator", "the judge to evaluate"},
                 {"reference", "Dataset",
                  "annotated pairs: instruction, input, output_1, output_2, preference"}};
  spec.outputs = {{"report", "Report", "the evaluator leaderboard columns"}};
  spec.params = judge_eval_schema().specs();
  return make_node_type(std::move(spec), run_judge_eval);
}

}  // namespace paddock::annotators
