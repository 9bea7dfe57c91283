// `annotate`: labels every pair of a Dataset with an Annotator, in batches.
#include <algorithm>
#include <chrono>
#include <memory>

#include <spdlog/fmt/fmt.h>

#include "annotator_nodes.hpp"
#include "paddock/annotation_outage.hpp"
#include "paddock/annotator_usage.hpp"
#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "pair_records.hpp"
#include "usage_reports.hpp"

namespace paddock::annotators {
namespace {

// Logs and records what the annotator spent. A judge that reports usage (any plugin's, through
// paddock::UsageReporter) gives cost and time per 1000 annotations; for one that does not,
// the time per 1000 is this node's wall time over the pairs it labelled.
void report_annotator_usage(NodeContext& context, const Annotator& annotator, double wall_seconds,
                            std::size_t labelled) {
  const auto usage = reported_usage(annotator);
  if (!usage) {
    const double seconds = per_1000_annotations(wall_seconds, static_cast<std::int64_t>(labelled));
    context.log().info(
        "{}: reports no usage (cost unknown); {:.1f} s of wall time{}", annotator.name(),
        wall_seconds,
        seconds >= 0 ? fmt::format(", {:.1f} s per 1000 annotations", seconds) : std::string());
    if (seconds >= 0) context.metric(0, "seconds_per_1000", seconds);
    return;
  }
  context.log().info("{}: {}", annotator.name(), describe_usage(*usage));
  context.metric(0, "dollars", usage->dollars);
  context.metric(0, "requests", static_cast<double>(usage->requests));
  context.metric(0, "annotator_seconds", usage->seconds);
  if (const double dollars = per_1000_annotations(usage->dollars, usage->annotations);
      dollars >= 0) {
    context.metric(0, "dollars_per_1000", dollars);
    context.metric(0, "seconds_per_1000", per_1000_annotations(usage->seconds, usage->annotations));
  }
  if (usage->stopped_by_budget) {
    context.log().warn("{}: stopped by its budget: {}", annotator.name(), usage->stop_note);
  }
  const nlohmann::ordered_json& details = usage->details;
  if (details.contains("coverage") && details["coverage"].is_number()) {
    context.log().info("{}: the annotations cover {:.1f}% of the pairs asked ({} of {})",
                       annotator.name(), 100.0 * details["coverage"].get<double>(),
                       details.value("pairs_found", std::int64_t{0}),
                       details.value("pairs_requested", std::int64_t{0}));
    context.metric(0, "coverage", details["coverage"].get<double>());
  }
  if (details.contains("rows_label_noise")) {
    context.log().info("{}: {} rows judged, {} label-noise rows, {} identical-output ties",
                       annotator.name(), details.value("rows_judged", std::int64_t{0}),
                       details.value("rows_label_noise", std::int64_t{0}),
                       details.value("rows_identical_outputs", std::int64_t{0}));
  }
  if (details.contains("cache_hits")) {
    context.log().info("{}: {} retries, {} failed requests, {} cache hits", annotator.name(),
                       details.value("retries", std::int64_t{0}),
                       details.value("failed_requests", std::int64_t{0}),
                       details.value("cache_hits", std::int64_t{0}));
  }
}

struct AnnotateSettings {
  std::int64_t batch_size = 64;
  bool drop_unannotated = false;
  bool include_raw = false;
  OutageSettings outage;
};

SettingsSchema<AnnotateSettings> annotate_schema() {
  using S = AnnotateSettings;
  SettingsSchema<S> schema;
  schema
      .integer("batch_size", &S::batch_size,
               "pairs per call to the annotator (cancellation and "
               "progress are checked between calls)",
               /*minimum=*/1.0)
      .boolean("drop_unannotated", &S::drop_unannotated,
               "leave out rows the annotator could not label instead of writing "
               "preference = null")
      .boolean("include_raw", &S::include_raw, "add the judge's raw answer as `raw_annotation`")
      .group(&S::outage, outage_schema("output"));
  return schema;
}

void run_annotate(NodeContext& context) {
  const auto source = context.input<Dataset>("pairs");
  const auto annotator = context.input<Annotator>("annotator");
  const AnnotateSettings settings = annotate_schema().read(context.params());
  const auto batch_size = static_cast<std::size_t>(settings.batch_size);
  const bool drop_unannotated = settings.drop_unannotated;
  const bool include_raw = settings.include_raw;
  const double max_failed_share = settings.outage.max_failed_share;

  std::vector<PreferencePair> pairs;
  pairs.reserve(source->size());
  for (std::size_t row = 0; row < source->size(); ++row) {
    pairs.push_back(pair_from_record((*source)[row], row, "pairs"));
  }

  ScopedCancelCheck cancel_check(*annotator, [&context] { return context.cancelled(); });
  const UnansweredPairs before = unanswered_pairs(*annotator);
  auto annotated = std::make_shared<Dataset>();
  std::size_t unannotated = 0, labelled[3] = {0, 0, 0};
  auto progress = context.progress("pairs", pairs.size());
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t start = 0; start < pairs.size(); start += batch_size) {
    context.throw_if_cancelled();
    const std::size_t count = std::min(batch_size, pairs.size() - start);
    const std::vector<Annotation> answers =
        annotator->annotate(std::span<const PreferencePair>(pairs).subspan(start, count));
    if (answers.size() != count) {
      throw Error("annotate: annotator '" + annotator->name() + "' returned " +
                  std::to_string(answers.size()) + " annotations for " + std::to_string(count) +
                  " pairs");
    }
    context.throw_if_cancelled();  // a cancelled annotator leaves rows empty: do not keep them
    for (std::size_t k = 0; k < count; ++k) {
      const Annotation& answer = answers[k];
      if (!answer.preference) ++unannotated;
      if (answer.preference && *answer.preference >= 0 && *answer.preference <= 2) {
        ++labelled[*answer.preference];
      }
      if (!answer.preference && drop_unannotated) continue;
      Record record = (*source)[start + k];
      record["preference"] = answer.preference ? Record(*answer.preference) : Record(nullptr);
      record["annotator"] = answer.annotator.empty() ? annotator->name() : answer.annotator;
      if (include_raw) record["raw_annotation"] = answer.raw;
      annotated->add(std::move(record));
    }
    progress->advance(count);
    // Stop paying for more batches once the outage already fails the node.
    check_failed_share("annotate", *annotator,
                       unanswered_since(*annotator, before, pairs.size()).failed, pairs.size(),
                       max_failed_share);
  }
  progress->finish();
  const UnansweredPairs unanswered_here = unanswered_since(*annotator, before, pairs.size());
  const double wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  context.log().info(
      "annotated {} of {} pairs with {} (output_1 {}, output_2 {}, ties {}); {} unannotated{}",
      pairs.size() - unannotated, pairs.size(), annotator->name(), labelled[1], labelled[2],
      labelled[0], unannotated, drop_unannotated && unannotated > 0 ? " (dropped)" : "");
  context.metric(0, "annotated", static_cast<double>(pairs.size() - unannotated));
  context.metric(0, "unannotated", static_cast<double>(unannotated));
  report_annotator_usage(context, *annotator, wall_seconds, pairs.size() - unannotated);
  context.metric(0, "failed", static_cast<double>(unanswered_here.failed));
  context.metric(0, "not_sent", static_cast<double>(unanswered_here.not_sent));
  context.set_output("annotated", std::move(annotated));
  mark_incomplete_if_unanswered(context, *annotator, unanswered_here, pairs.size(),
                                max_failed_share);
}

}  // namespace

NodeTypeSpec annotate_node_type() {
  NodeTypeSpec spec;
  spec.name = "annotate";
  spec.kind = NodeKind::transform;
  spec.summary = "Labels every pair of a Dataset with an Annotator.";
  spec.doc =
      "Rows need instruction, output_1 and output_2 (strings) and may have input; their other "
      "columns reach the judge as PreferencePair::metadata (except an existing preference or "
      "annotator, which are replaced). Adds `preference` (1, 2, 0 for a tie, null when "
      "unannotated) and `annotator`. Logs the annotator's cost and time per 1000 annotations when "
      "it "
      "reports its usage (paddock::UsageReporter), else the wall time per 1000, and coverage "
      "and label-noise counts when it reports them. A judge that gets no answer for some pairs "
      "(an outage: its requests failed after their retries) fails the node unless "
      "max_failed_share allows them.";
  spec.inputs = {{"pairs", "Dataset", "instruction, input, output_1, output_2 (+ any columns)"},
                 {"annotator", "Annotator", "the judge"}};
  spec.outputs = {{"annotated", "Dataset", "the rows with preference and annotator"}};
  spec.params = annotate_schema().specs();
  return make_node_type(std::move(spec), run_annotate);
}

}  // namespace paddock::annotators
