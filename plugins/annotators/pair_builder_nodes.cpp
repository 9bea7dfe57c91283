// `pairs_head_to_head` and `pairs_from_samples`: preference pairs from system outputs.
#include <memory>

#include "annotator_nodes.hpp"
#include "paddock/error.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "pair_builders.hpp"

namespace paddock::annotators {
namespace {

struct HeadToHeadSettings {
  std::string output_column = "output";
  bool require_all_matched = false;
};

SettingsSchema<HeadToHeadSettings> head_to_head_schema() {
  using S = HeadToHeadSettings;
  SettingsSchema<S> schema;
  schema.text("output_column", &S::output_column, "the column holding each system's output")
      .boolean("require_all_matched", &S::require_all_matched, "fail when any row has no partner");
  return schema;
}

struct FromSamplesSettings {
  std::string output_column = "output";
  std::string outputs_column = "outputs";
  bool drop_identical = true;
  std::int64_t max_pairs_per_instruction = 0;
  std::int64_t seed = -1;
};

SettingsSchema<FromSamplesSettings> from_samples_schema() {
  using S = FromSamplesSettings;
  SettingsSchema<S> schema;
  schema.text("output_column", &S::output_column, "the column of one output per row")
      .text("outputs_column", &S::outputs_column, "the column of an array of outputs per row")
      .boolean("drop_identical", &S::drop_identical, "skip pairs whose two outputs are identical")
      .integer("max_pairs_per_instruction", &S::max_pairs_per_instruction,
               "keep at most this many pairs per "
               "instruction; 0 keeps all",
               /*minimum=*/0.0)
      .integer("seed", &S::seed, "base seed S; -1 uses the node's seed", /*minimum=*/-1.0);
  return schema;
}

void run_head_to_head(NodeContext& context) {
  const auto first = context.input<Dataset>("outputs_1");
  const auto second = context.input<Dataset>("outputs_2");
  const HeadToHeadSettings settings = head_to_head_schema().read(context.params());
  HeadToHeadResult result = pairs_head_to_head(*first, *second, settings.output_column);
  context.log().info("{} pairs; unmatched rows: {} of outputs_1, {} of outputs_2",
                     result.pairs.size(), result.unmatched_1, result.unmatched_2);
  if (!result.unmatched.empty()) {
    const Record& example = result.unmatched[0];
    context.log().warn(
        "{} rows have no partner with the same instruction and input, e.g. "
        "side {}: \"{}\"",
        result.unmatched.size(), example["side"].get<int>(),
        example.value("instruction", std::string()).substr(0, 80));
    if (settings.require_all_matched) {
      throw Error("pairs_head_to_head: " + std::to_string(result.unmatched.size()) +
                  " rows have no partner (require_all_matched = true); see the `unmatched` "
                  "output or set require_all_matched = false");
    }
  }
  context.metric(0, "pairs", static_cast<double>(result.pairs.size()));
  context.metric(0, "unmatched", static_cast<double>(result.unmatched.size()));
  context.set_output("pairs", std::make_shared<Dataset>(std::move(result.pairs)));
  context.set_output("unmatched", std::make_shared<Dataset>(std::move(result.unmatched)));
}

void run_from_samples(NodeContext& context) {
  const auto samples = context.input<Dataset>("samples");
  const FromSamplesSettings settings = from_samples_schema().read(context.params());
  SampleOptions options;
  options.output_column = settings.output_column;
  options.outputs_column = settings.outputs_column;
  options.drop_identical = settings.drop_identical;
  options.max_pairs_per_instruction = static_cast<std::size_t>(settings.max_pairs_per_instruction);
  options.seed = settings.seed >= 0 ? static_cast<std::uint64_t>(settings.seed) : context.seed();
  SampleResult result = pairs_from_samples(*samples, options);
  context.log().info(
      "{} pairs from {} instructions ({} with fewer than two outputs, {} identical pairs "
      "dropped)",
      result.pairs.size(), result.instructions, result.instructions_too_few,
      result.identical_dropped);
  context.metric(0, "pairs", static_cast<double>(result.pairs.size()));
  context.set_output("pairs", std::make_shared<Dataset>(std::move(result.pairs)));
}

}  // namespace

NodeTypeSpec pairs_head_to_head_node_type() {
  NodeTypeSpec spec;
  spec.name = "pairs_head_to_head";
  spec.kind = NodeKind::transform;
  spec.summary = "Pairs two systems' outputs on the same instruction and input.";
  spec.doc =
      "Joins outputs_1 and outputs_2 on (instruction, input); a key repeated on both sides is "
      "matched occurrence by occurrence in row order. output_1 comes from outputs_1. Other "
      "columns of both rows are merged: equal values once, different values as NAME_1 and "
      "NAME_2. Unmatched rows are logged and written to `unmatched` with a `side` column.";
  spec.inputs = {{"outputs_1", "Dataset", "instruction, input, output (+ any columns)"},
                 {"outputs_2", "Dataset", "instruction, input, output (+ any columns)"}};
  spec.outputs = {{"pairs", "Dataset", "instruction, input, output_1, output_2 + merged columns"},
                  {"unmatched", "Dataset", "rows without a partner, with `side` = 1 or 2"}};
  spec.params = head_to_head_schema().specs();
  return make_node_type(std::move(spec), run_head_to_head);
}

NodeTypeSpec pairs_from_samples_node_type() {
  NodeTypeSpec spec;
  spec.name = "pairs_from_samples";
  spec.kind = NodeKind::transform;
  spec.summary = "Pairs several sampled outputs per instruction by a seeded derangement.";
  spec.doc =
      "Groups outputs by (instruction, input): rows sharing them, each with `output_column`, "
      "or rows with an array `outputs_column`. For n >= 2 outputs draws a random single-cycle "
      "derangement "
      "d (seeded by derive_seed(S, instruction \\x1f input)) and pairs output i with output "
      "d(i), skipping reversed repeats: 2 outputs give 1 pair, n >= 3 give n. Other columns "
      "of the source rows are merged. See docs/annotators.md.";
  spec.inputs = {{"samples", "Dataset", "instruction, input and output (or outputs)"}};
  spec.outputs = {{"pairs", "Dataset", "instruction, input, output_1, output_2 + merged columns"}};
  spec.params = from_samples_schema().specs();
  return make_node_type(std::move(spec), run_from_samples);
}

}  // namespace paddock::annotators
