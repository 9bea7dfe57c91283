// `world_task_scores`: per-family correctness of systems' outputs on world prompts, measured
// with the hidden utility's checker. This is how the world is calibrated against a model.
#include <memory>

#include "paddock/report.hpp"
#include "paddock/simple_node.hpp"
#include "task_scores.hpp"
#include "world_nodes.hpp"

namespace paddock::world {
namespace {

nlohmann::ordered_json score_to_json(const FamilyScore& score) {
  return {{"rows", score.rows},
          {"correctness", score.correctness},
          {"fully_correct", score.fully_correct},
          {"utility", score.utility},
          {"words", score.words}};
}

void run_world_task_scores(NodeContext& context) {
  const auto inputs = context.inputs("outputs");
  nlohmann::ordered_json systems = nlohmann::ordered_json::array();
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    const auto outputs = std::dynamic_pointer_cast<Dataset>(inputs[index]);
    const std::string fallback = "system_" + std::to_string(index + 1);
    const SystemTaskScores scores = score_world_outputs(
        *outputs, fallback, "world_task_scores: outputs[" + std::to_string(index) + "]");
    nlohmann::ordered_json families = nlohmann::ordered_json::object();
    for (const auto& [family, score] : scores.families) families[family] = score_to_json(score);
    nlohmann::ordered_json categories = nlohmann::ordered_json::object();
    for (const auto& [category, score] : scores.categories)
      categories[category] = score_to_json(score);
    nlohmann::ordered_json system = score_to_json(scores.overall);
    system["generator"] = scores.generator;
    system["categories"] = std::move(categories);
    system["families"] = std::move(families);
    systems.push_back(std::move(system));
    context.log().info("{}: correctness {:.3f}, fully correct {:.3f}, utility {:.3f} ({} rows)",
                       scores.generator, scores.overall.correctness, scores.overall.fully_correct,
                       scores.overall.utility, scores.overall.rows);
  }
  context.set_output("report",
                     std::make_shared<Report>(nlohmann::ordered_json{{"systems", systems}}));
}

}  // namespace

NodeTypeSpec world_task_scores_node_type() {
  NodeTypeSpec spec;
  spec.name = "world_task_scores";
  spec.kind = NodeKind::evaluator;
  spec.summary = "Per-family correctness of systems' outputs on world prompts.";
  spec.doc =
      "Scores each output row with the hidden utility's checker (the same one the simulated "
      "humans use): mean correctness, share fully correct, mean hidden utility and length, "
      "overall, per category (in_context, recall, computing, hard) and per task family. Needs the "
      "hidden columns of instruction_world records, "
      "which generate and world_system keep.";
  spec.inputs = {{"outputs", "Dataset", "one Dataset of outputs per system", /*optional=*/false,
                  /*multiple=*/true}};
  spec.outputs = {{"report", "Report", "the scores, one entry per input Dataset"}};
  return make_node_type(std::move(spec), run_world_task_scores);
}

}  // namespace paddock::world
