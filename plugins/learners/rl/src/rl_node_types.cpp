// Node types of the RL learners: ports and parameters of ppo, rloo and grpo.
#include "paddock/learning/model_access.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"
#include "paddock/rl/ppo_settings.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::rl {
namespace {

NodeTypeDeclaration rl_node_type(Algorithm algorithm, std::string name, std::string summary,
                                 std::string doc) {
  NodeTypeSpec spec;
  spec.name = std::move(name);
  spec.kind = NodeKind::learner;
  spec.summary = std::move(summary);
  spec.doc = std::move(doc);
  spec.inputs = {
      {"policy", "Model",
       "the policy to train (usually the SFT model); left unchanged, a copy is trained"},
      {"reward", "Model", "the frozen reward model (RewardScorer)"},
      {"prompts", "Dataset", "instructions to sample rollouts for (the unlabeled split)"},
      {"reference", "Model", "the frozen reference of the KL penalty (default: the policy input)",
       /*optional=*/true},
      {"eval_prompts", "Dataset", "prompts with reference outputs for the periodic evaluation",
       /*optional=*/true},
      {"eval_judge", "Annotator", "judge of the periodic win rate against eval_prompts' outputs",
       /*optional=*/true},
  };
  spec.outputs = {{"model", "Model", "the trained policy"},
                  {"report", "Report", "final reward, KL and evaluations"}};
  const bool with_value_model = algorithm == Algorithm::ppo;
  const SettingsSchema<PpoSettings> schema = ppo_schema(with_value_model);
  spec.params = schema.specs(ppo_defaults(with_value_model));
  NodeTypeDeclaration declaration;
  declaration.spec = make_node_type(std::move(spec), [algorithm](NodeContext& context) {
    run_policy_gradient(context, algorithm);
  });
  declaration.rules = schema.param_rules();
  learning::declare_reward_learner_ports(declaration);
  declaration.data_parallel = true;
  return declaration;
}

}  // namespace

NodeTypeDeclaration ppo_node_type() {
  return rl_node_type(
      Algorithm::ppo, "ppo",
      "Proximal policy optimisation against a reward model, as AlpacaFarm ran it.",
      "Per-token KL penalty to the reference, scalar reward at the last token, reward whitening, "
      "GAE, advantage whitening, clipped policy and value losses; the value model starts from "
      "the reward model's trunk with a zero head.");
}

NodeTypeDeclaration rloo_node_type() {
  return rl_node_type(
      Algorithm::rloo, "rloo", "REINFORCE leave-one-out: k samples per prompt, no critic.",
      "Each sample's advantage is its KL-penalised reward minus the mean of the other k-1 "
      "samples of its prompt; clipped surrogate loss.");
}

NodeTypeDeclaration grpo_node_type() {
  return rl_node_type(
      Algorithm::grpo, "grpo",
      "Group-relative policy optimisation: k samples per prompt, no critic.",
      "Each sample's advantage is its KL-penalised reward standardised by the mean and standard "
      "deviation of its prompt's group; clipped surrogate loss.");
}

}  // namespace paddock::rl
