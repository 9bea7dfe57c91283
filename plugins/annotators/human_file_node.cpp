// `human_file` (an Annotator over imported human annotations) and `human_file_dataset` (the
// same file's valid rows as a Dataset, e.g. a reference for judge_eval).
#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "annotator_nodes.hpp"
#include "human_file_annotator.hpp"
#include "human_file_reader.hpp"
#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "pair_key.hpp"

namespace paddock::annotators {
namespace {

// Malformed rows shown one by one, in the log and in the error; the rest are counted.
constexpr std::size_t kShownRowProblems = 20;

// The settings both node types share (besides the required `path`, which stays a plain
// ParamSpec: the schema has no binder for a required parameter).
struct HumanFileCommonSettings {
  std::string format = "auto";
  std::string on_error = "fail";
};

SettingsSchema<HumanFileCommonSettings> common_schema() {
  using S = HumanFileCommonSettings;
  SettingsSchema<S> schema;
  schema
      .text("format", &S::format, "file format; auto picks by extension, then by content",
            {"auto", "json", "jsonl", "csv"})
      .text("on_error", &S::on_error,
            "malformed rows (missing field, bad preference, bad encoding, wrong type): "
            "fail lists them and stops; skip logs each one and imports the rest",
            {"fail", "skip"});
  return schema;
}

struct HumanFileSettings {
  HumanFileCommonSettings common;
  std::string aggregate = "majority";
  std::string name;
};

SettingsSchema<HumanFileSettings> human_file_schema() {
  using S = HumanFileSettings;
  SettingsSchema<S> schema;
  schema.group(&S::common, common_schema())
      .text("aggregate", &S::aggregate,
            "several annotations of one pair: majority (a tie between the most frequent labels "
            "gives 0), first or last in file order",
            {"majority", "first", "last"})
      .text("name", &S::name, "the annotator's name; empty = the node name");
  return schema;
}

struct HumanFileDatasetSettings {
  HumanFileCommonSettings common;
  std::string aggregate = "all";
};

SettingsSchema<HumanFileDatasetSettings> human_file_dataset_schema() {
  using S = HumanFileDatasetSettings;
  SettingsSchema<S> schema;
  schema.group(&S::common, common_schema())
      .text("aggregate", &S::aggregate,
            "all keeps every annotation; majority, first or last keep "
            "one row per pair",
            {"all", "majority", "first", "last"});
  return schema;
}

// Reads the file and applies the on_error policy: the first malformed rows are logged, then
// a summary; "fail" then throws with them. A file without a single good row is an error
// under either policy: importing it would silently annotate nothing.
HumanFileContents read_with_policy(NodeContext& context, const HumanFileCommonSettings& settings) {
  const std::string path = context.params().string("path");  // required: not in the schema
  HumanFileContents contents = read_human_file(path, parse_human_file_format(settings.format));
  const std::size_t shown = std::min(kShownRowProblems, contents.problems.size());
  for (std::size_t k = 0; k < shown; ++k) {
    context.log().warn("malformed row: {}", contents.problems[k].describe());
  }
  if (contents.problem_count > shown) {
    context.log().warn("... and {} more malformed rows in {} (not listed one by one)",
                       contents.problem_count - shown, path);
  }
  if (contents.problem_count > 0) {
    if (settings.on_error == "fail") {
      std::string message = std::to_string(contents.problem_count) + " malformed rows in '" + path +
                            "' (on_error = \"fail\"; set on_error = \"skip\" to import "
                            "the others):";
      for (std::size_t k = 0; k < shown; ++k) message += "\n  " + contents.problems[k].describe();
      if (contents.problem_count > shown) {
        message += "\n  ... and " + std::to_string(contents.problem_count - shown) + " more";
      }
      throw Error(message);
    }
    context.log().warn("skipped {} malformed rows of {} in {}", contents.problem_count,
                       contents.rows_seen, path);
  }
  if (contents.rows.empty()) {
    throw Error(contents.rows_seen == 0
                    ? "'" + path +
                          "' holds no annotation rows (an empty file, or a header alone); a "
                          "human annotation file needs at least one"
                    : "'" + path + "' holds no valid annotation row: all " +
                          std::to_string(contents.rows_seen) + " were malformed");
  }
  std::set<std::string> pairs, annotators;
  for (const auto& row : contents.rows) {
    pairs.insert(pair_key(row.instruction, row.input, row.output_1, row.output_2));
    if (!row.annotator.empty()) annotators.insert(row.annotator);
  }
  context.log().info("{}: {} annotations of {} distinct pairs by {} named annotators", path,
                     contents.rows.size(), pairs.size(), annotators.size());
  context.metric(0, "malformed_rows", static_cast<double>(contents.problem_count));
  return contents;
}

ParamSpec path_param_required() {
  return required_param("path", ParamType::path,
                        "the annotation file: .json (an array), .jsonl or .csv");
}

// The schema's declarations behind the required `path`, which comes first as before.
std::vector<ParamSpec> with_path(std::vector<ParamSpec> specs) {
  specs.insert(specs.begin(), path_param_required());
  return specs;
}

void run_human_file(NodeContext& context) {
  const HumanFileSettings settings = human_file_schema().read(context.params());
  HumanFileContents contents = read_with_policy(context, settings.common);
  const std::string& name = settings.name;
  context.set_output("annotator", std::make_shared<HumanFileAnnotator>(
                                      name.empty() ? context.node_name() : name, contents.rows,
                                      parse_human_aggregate(settings.aggregate)));
}

void run_human_file_dataset(NodeContext& context) {
  const HumanFileDatasetSettings settings = human_file_dataset_schema().read(context.params());
  HumanFileContents contents = read_with_policy(context, settings.common);
  const std::string& rule = settings.aggregate;
  auto dataset = std::make_shared<Dataset>();
  const auto base_record = [](const HumanAnnotationRow& row) {
    Record record = Record::object();
    record["instruction"] = row.instruction;
    record["input"] = row.input;
    record["output_1"] = row.output_1;
    record["output_2"] = row.output_2;
    return record;
  };
  if (rule == "all") {
    for (const auto& row : contents.rows) {
      Record record = base_record(row);
      record["preference"] = row.preference;
      record["annotator"] = row.annotator;
      dataset->add(std::move(record));
    }
  } else {
    std::vector<std::string> order;
    std::map<std::string, std::pair<const HumanAnnotationRow*, std::vector<HumanVote>>> groups;
    for (const auto& row : contents.rows) {
      const std::string key = pair_key(row.instruction, row.input, row.output_1, row.output_2);
      auto [where, inserted] = groups.try_emplace(key, &row, std::vector<HumanVote>{});
      if (inserted) order.push_back(key);
      where->second.second.push_back({row.preference, row.annotator});
    }
    for (const auto& key : order) {
      const auto& [row, votes] = groups[key];
      const Annotation annotation =
          aggregate_votes(votes, parse_human_aggregate(rule), context.node_name());
      Record record = base_record(*row);
      record["preference"] = *annotation.preference;
      record["annotator"] = annotation.annotator;
      record["n_annotations"] = votes.size();
      dataset->add(std::move(record));
    }
  }
  context.set_output("annotations", std::move(dataset));
}

}  // namespace

NodeTypeSpec human_file_node_type() {
  NodeTypeSpec spec;
  spec.name = "human_file";
  spec.kind = NodeKind::annotator;
  spec.summary = "Human annotations from a JSON, JSONL or CSV file, as an Annotator.";
  spec.doc =
      "Fields: instruction, input, output_1, output_2, preference (0 tie, 1, 2; 1.5 reads as "
      "a tie) and optional annotator. A pair is found by its four texts, or with the outputs "
      "swapped (label inverted); pairs not in the file are unannotated. Several annotations "
      "of a pair are combined by `aggregate`. `annotate` logs the coverage.";
  spec.outputs = {{"annotator", "Annotator", "the human annotations"}};
  spec.params = with_path(human_file_schema().specs());
  return make_node_type(std::move(spec), run_human_file);
}

NodeTypeSpec human_file_dataset_node_type() {
  NodeTypeSpec spec;
  spec.name = "human_file_dataset";
  spec.kind = NodeKind::source;
  spec.summary = "Human annotations from a JSON, JSONL or CSV file, as a Dataset.";
  spec.doc =
      "The valid rows of a human annotation file (validated as for human_file), every "
      "annotation (aggregate = all) or one row per pair (majority, first, last; with "
      "n_annotations). Use it as judge_eval's reference.";
  spec.outputs = {
      {"annotations", "Dataset", "instruction, input, output_1, output_2, preference, annotator"}};
  spec.params = with_path(human_file_dataset_schema().specs());
  return make_node_type(std::move(spec), run_human_file_dataset);
}

}  // namespace paddock::annotators
