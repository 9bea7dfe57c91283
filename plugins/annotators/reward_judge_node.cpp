// `reward_judge`: a reward Model as a judge.
#include <memory>

#include "annotator_nodes.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "reward_judge.hpp"

namespace paddock::annotators {
namespace {

struct RewardJudgeSettings {
  double tie_tolerance = 0.0;
  std::string name;
};

SettingsSchema<RewardJudgeSettings> reward_judge_schema() {
  using S = RewardJudgeSettings;
  SettingsSchema<S> schema;
  schema
      .number("tie_tolerance", &S::tie_tolerance, "reward differences up to this are ties",
              /*minimum=*/0.0)
      .text("name", &S::name, "the judge's name; empty = reward_judge(BACKEND)");
  return schema;
}

void run_reward_judge(NodeContext& context) {
  auto model = context.input<Model>("model");
  const RewardJudgeSettings settings = reward_judge_schema().read(context.params());
  std::string name = settings.name;
  if (name.empty()) name = "reward_judge(" + model->backend() + ")";
  auto judge =
      std::make_shared<RewardJudgeAnnotator>(std::move(model), settings.tie_tolerance, name);
  context.log().info("{}: tie tolerance {}", name, settings.tie_tolerance);
  context.set_output("annotator", std::move(judge));
}

}  // namespace

NodeTypeSpec reward_judge_node_type() {
  NodeTypeSpec spec;
  spec.name = "reward_judge";
  spec.kind = NodeKind::annotator;
  spec.summary = "Prefers the output a reward model scores higher.";
  spec.doc =
      "Scores both outputs with the model's RewardScorer capability (the node fails when the "
      "model has none). |r_2 - r_1| <= tie_tolerance is a tie; otherwise the higher wins. "
      "P(output_2) = sigmoid(r_2 - r_1).";
  spec.inputs = {{"model", "Model", "a model with the RewardScorer capability"}};
  spec.outputs = {{"annotator", "Annotator", "the reward judge"}};
  spec.params = reward_judge_schema().specs();
  return make_node_type(std::move(spec), run_reward_judge);
}

}  // namespace paddock::annotators
