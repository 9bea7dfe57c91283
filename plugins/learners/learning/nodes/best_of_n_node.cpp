// `best_of_n`: n samples per prompt, the one the reward model scores highest kept.
#include "paddock/dataset.hpp"
#include "paddock/learning/best_of_n_selection.hpp"
#include "paddock/learning/generation.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::learning {
namespace {

struct BestOfNSettings {
  GenerationOptions sampling = sampling_defaults(/*temperature=*/1.0);
  std::int64_t n = 16;
  std::string generator_name;
};

SettingsSchema<BestOfNSettings> best_of_n_schema() {
  using S = BestOfNSettings;
  SettingsSchema<S> schema;
  schema.group(&S::sampling, generation_schema("batch_size", false))
      .integer("n", &S::n, "samples per prompt", 1.0)
      .text("generator_name", &S::generator_name,
            "the `generator` column's value (empty: the node's name)");
  return schema;
}

void run_best_of_n(NodeContext& context) {
  configure_torch_threads();
  const BestOfNSettings settings = best_of_n_schema().read(context.params());
  const auto policy = context.input<Model>("model");
  const auto reward = context.input<Model>("reward");
  TextGenerator& generator = require_text_generator(*policy, context, "model");
  RewardScorer& scorer = require_reward_scorer(*reward, context, "reward");
  const auto prompts = context.input<Dataset>("prompts");
  GenerationOptions options = settings.sampling;
  options.samples_per_prompt = settings.n;
  std::string name = settings.generator_name;
  if (name.empty()) name = context.node_name();
  BestOfNStatistics statistics;
  auto outputs = std::make_shared<Dataset>(
      best_of_n(context, generator, scorer, *prompts, {context.node_name(), "prompts"}, options,
                context.seed(), name, "best_of_n", &statistics));
  context.metric(0, "best_of_n/mean_best_reward", statistics.mean_best_reward);
  context.metric(0, "best_of_n/mean_sample_reward", statistics.mean_sample_reward);
  context.log().info(
      "best_of_n: best of {} for {} prompts; mean reward {:.4f} (all samples {:.4f})",
      options.samples_per_prompt, prompts->size(), statistics.mean_best_reward,
      statistics.mean_sample_reward);
  context.set_output("outputs", outputs);
}

}  // namespace

NodeTypeDeclaration best_of_n_node_type() {
  NodeTypeSpec spec;
  spec.name = "best_of_n";
  spec.kind = NodeKind::transform;
  spec.summary = "Keeps the best of n sampled outputs per prompt by a reward model.";
  spec.doc =
      "Samples n outputs per prompt exactly as `generate` with samples_per_prompt = n would "
      "(same seed, same samples), scores each with the reward model and keeps the highest (the "
      "first on ties): one row per prompt with `output`, `generator`, `sample` (the winner's "
      "index) and `reward`. Metrics best_of_n/mean_best_reward and mean_sample_reward.";
  spec.inputs = {
      {"model", "Model", "the policy to sample from"},
      {"reward", "Model", "a model with a reward head (a reward_model output)"},
      {"prompts", "Dataset", "records with instruction and (optional) input"},
  };
  spec.outputs = {{"outputs", "Dataset", "the best output per prompt, with its reward"}};
  const auto schema = best_of_n_schema();
  spec.params = schema.specs();
  NodeTypeDeclaration declaration;
  declaration.spec = make_node_type(std::move(spec), run_best_of_n);
  declaration.rules = schema.param_rules();
  declaration.required = {{"model", {capability::kGenerate}}, {"reward", {capability::kReward}}};
  return declaration;
}

}  // namespace paddock::learning
