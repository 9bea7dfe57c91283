// `lm_probe`: what a language model can do before any instruction tuning, measured on probe
// rows (the world's `probes` output, or any Dataset of the same shape): completion accuracy
// per family and category, and an induction score (the loss on the second copy of a repeated
// random span against the first). Optional gates turn the numbers into a pass/fail verdict
// that model_export refuses to ship without.
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/learning/record_fields.hpp"
#include "paddock/learning/supervised_training.hpp"
#include "paddock/report.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::learning {
namespace {

using nlohmann::ordered_json;

constexpr std::size_t kExamplesPerFamily = 3;

// The continuation answers when, after leading spaces, it starts with the answer and the
// answer is not the start of a longer word or number.
bool answers(std::string_view continuation, std::string_view answer) {
  while (!continuation.empty() && continuation.front() == ' ') continuation.remove_prefix(1);
  if (continuation.substr(0, answer.size()) != answer) return false;
  if (continuation.size() == answer.size()) return true;
  return std::isalnum(static_cast<unsigned char>(continuation[answer.size()])) == 0;
}

struct Tally {
  std::size_t count = 0;
  std::size_t correct = 0;
  ordered_json examples = ordered_json::array();
  double accuracy() const { return count == 0 ? 0.0 : static_cast<double>(correct) / count; }
};

// Mean loss on the first copy of each span and on the second, given the first.
ordered_json induction_losses(const LanguageModel& model, const Dataset& probes,
                              const RecordSource& source, std::int64_t batch_size) {
  CausalLanguageModel& tensors = *model.tensors;
  std::vector<TokenSequence> first_copies, second_copies;
  for (std::size_t row = 0; row < probes.size(); ++row) {
    const Record& record = probes[row];
    if (required_text(record, "family", source, row) != "induction") continue;
    const std::string& text = required_text(record, "text", source, row);
    const auto found = record.find("repeat_start");
    if (found == record.end() || !found->is_number_unsigned() ||
        found->get<std::size_t>() > text.size())
      throw Error(describe_row(source, row) +
                  ": an induction probe needs 'repeat_start', the byte offset of the second "
                  "copy within 'text'");
    const std::vector<std::int64_t> prefix = tensors.sequence_prefix();
    TokenSequence first{prefix, static_cast<std::int64_t>(prefix.size())};
    for (std::int64_t id : tensors.tokenize(text.substr(0, found->get<std::size_t>())))
      first.ids.push_back(id);
    TokenSequence whole{prefix, static_cast<std::int64_t>(first.ids.size())};
    for (std::int64_t id : tensors.tokenize(text)) whole.ids.push_back(id);
    // The first copy's tokens must begin the whole text's, or the copies are not comparable.
    if (whole.ids.size() <= first.ids.size() ||
        !std::equal(first.ids.begin(), first.ids.end(), whole.ids.begin()) ||
        static_cast<std::int64_t>(whole.ids.size()) > tensors.max_sequence_length())
      continue;
    first_copies.push_back(std::move(first));
    second_copies.push_back(std::move(whole));
  }
  if (first_copies.empty()) return nullptr;
  const double first_loss = validation_loss(tensors, first_copies, batch_size);
  const double second_loss = validation_loss(tensors, second_copies, batch_size);
  return {{"probes", first_copies.size()},
          {"first_copy_loss", first_loss},
          {"second_copy_loss", second_loss},
          {"ratio", first_loss > 0.0 ? second_loss / first_loss : 1.0}};
}

struct LmProbeSettings {
  std::int64_t max_new_tokens = 16;
  std::int64_t batch_size = 32;
  nlohmann::json gates = nlohmann::json::object();
};

SettingsSchema<LmProbeSettings> lm_probe_schema() {
  using S = LmProbeSettings;
  SettingsSchema<S> schema;
  schema.integer("max_new_tokens", &S::max_new_tokens, "longest completion in tokens", 1.0)
      .integer("batch_size", &S::batch_size, "sequences per forward pass", 1.0)
      .table("gates", &S::gates,
             "minimum accuracy per category or family, and induction_ratio's maximum, e.g. "
             "{ in_context = 0.8, recall = 0.6, induction_ratio = 0.5 }")
      .rule({"gates"}, "every gate is a number", [](const S& s) -> std::string {
        for (const auto& [name, value] : s.gates.items()) {
          if (!value.is_number())
            return "gate '" + name +
                   "' must be a number (a minimum accuracy, or for induction_ratio a maximum)";
        }
        return "";
      });
  return schema;
}

void run_lm_probe(NodeContext& context) {
  configure_torch_threads();
  const LmProbeSettings settings = lm_probe_schema().read(context.params());
  const LanguageModel model = shared_language_model(context, "model");
  const auto probes = context.input<Dataset>("probes");
  const RecordSource source{context.node_name(), "probes"};

  std::vector<std::string> prompts;
  std::vector<std::size_t> rows;
  for (std::size_t row = 0; row < probes->size(); ++row) {
    if (required_text((*probes)[row], "family", source, row) == "induction") continue;
    prompts.push_back(required_text((*probes)[row], "prompt", source, row));
    rows.push_back(row);
  }
  GenerationOptions options;
  options.temperature = 0.0;
  options.max_new_tokens = settings.max_new_tokens;
  options.batch_size = settings.batch_size;
  options.stop = {"\n"};
  std::vector<std::vector<Generation>> generated;
  if (!prompts.empty()) generated = model.generator->generate(prompts, options);
  if (generated.size() != prompts.size())
    throw Error("node '" + context.node_name() + "': the model returned " +
                std::to_string(generated.size()) + " results for " +
                std::to_string(prompts.size()) + " probes");

  std::map<std::string, Tally> families, categories;
  Tally overall;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Record& record = (*probes)[rows[i]];
    const std::string& answer = required_text(record, "answer", source, rows[i]);
    const std::string& text = generated[i].front().text;
    const bool right = answers(text, answer);
    Tally& family = families[required_text(record, "family", source, rows[i])];
    const std::string category = optional_text(record, "category", source, rows[i]);
    for (Tally* tally : {&family, &overall, category.empty() ? nullptr : &categories[category]}) {
      if (!tally) continue;
      ++tally->count;
      tally->correct += right ? 1 : 0;
    }
    if (family.examples.size() < kExamplesPerFamily)
      family.examples.push_back({{"answer", answer}, {"output", text}, {"correct", right}});
  }

  ordered_json report;
  report["model"] = context.node_name();
  report["probes"] = overall.count;
  report["accuracy"] = overall.accuracy();
  auto tallies = [](const std::map<std::string, Tally>& by_name, bool with_examples) {
    ordered_json out = ordered_json::object();
    for (const auto& [name, tally] : by_name) {
      out[name] = {{"count", tally.count}, {"accuracy", tally.accuracy()}};
      if (with_examples) out[name]["examples"] = tally.examples;
    }
    return out;
  };
  report["categories"] = tallies(categories, false);
  report["families"] = tallies(families, true);
  report["induction"] = induction_losses(model, *probes, source, options.batch_size);

  // Gates: a minimum accuracy per category or family, and a maximum induction ratio.
  ordered_json gates = ordered_json::object();
  bool all_passed = true;
  for (const auto& [name, minimum] : settings.gates.items()) {
    double measured = 0.0;
    bool passed = false;
    if (name == "induction_ratio") {
      measured = report["induction"].is_null() ? 1.0 : report["induction"]["ratio"].get<double>();
      passed = measured <= minimum.get<double>();
    } else if (categories.contains(name) || families.contains(name)) {
      measured =
          categories.contains(name) ? categories[name].accuracy() : families[name].accuracy();
      passed = measured >= minimum.get<double>();
    } else {
      throw Error("node '" + context.node_name() + "': gate '" + name +
                  "' names no category or family of the probes (nor induction_ratio)");
    }
    gates[name] = {{"threshold", minimum}, {"measured", measured}, {"passed", passed}};
    all_passed = all_passed && passed;
  }
  report["gates"] = gates;
  report["all_passed"] = all_passed;
  for (const auto& [name, gate] : gates.items())
    context.log().info("lm_probe: gate {} {} (measured {:.3f}, threshold {})", name,
                       gate["passed"].get<bool>() ? "passed" : "FAILED",
                       gate["measured"].get<double>(), gate["threshold"].dump());
  context.log().info("lm_probe: {} probes, accuracy {:.3f}", overall.count, overall.accuracy());
  context.set_output("report", std::make_shared<Report>(std::move(report)));
}

}  // namespace

NodeTypeDeclaration lm_probe_node_type() {
  NodeTypeSpec spec;
  spec.name = "lm_probe";
  spec.kind = NodeKind::evaluator;
  spec.summary = "Probes a language model: completion accuracy per family and an induction score.";
  spec.doc =
      "Each probe row with `prompt` and `answer` is completed greedily (stopping at a newline); "
      "it counts as answered when the completion starts with the answer as a whole word. Rows "
      "of family \"induction\" (`text`, `repeat_start`) measure copying: the loss on a span's "
      "second copy over the loss on its first. `gates` (a table) names minimum accuracies per "
      "category or family and a maximum `induction_ratio`; the report says which passed. The "
      "world's `probes` output has this shape (docs/world.md).";
  spec.inputs = {
      {"model", "Model", "a causal language model"},
      {"probes", "Dataset", "rows with family, category, prompt and answer, or induction rows"},
  };
  spec.outputs = {{"report", "Report", "accuracies, induction losses, gates"}};
  const auto schema = lm_probe_schema();
  spec.params = schema.specs();
  NodeTypeDeclaration declaration;
  declaration.spec = make_node_type(std::move(spec), run_lm_probe);
  declaration.rules = schema.param_rules();
  declaration.required = {{"model", {capability::kGenerate, capability::kLogprobs}}};
  return declaration;
}

}  // namespace paddock::learning
