// `best_of_n`: n samples per prompt, the one the reward model scores highest kept.
#include "paddock/dataset.hpp"
#include "paddock/learning/best_of_n_selection.hpp"
#include "paddock/learning/generation.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::learning {
namespace {

void run_best_of_n(NodeContext& context) {
  configure_torch_threads();
  const Params& params = context.params();
  const auto policy = context.input<Model>("model");
  const auto reward = context.input<Model>("reward");
  TextGenerator& generator = require_text_generator(*policy, context, "model");
  RewardScorer& scorer = require_reward_scorer(*reward, context, "reward");
  const auto prompts = context.input<Dataset>("prompts");
  GenerationOptions options = read_generation_options(params);
  options.samples_per_prompt = params.integer("n");
  std::string name = params.string("generator_name");
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

NodeTypeSpec best_of_n_node_type() {
  GenerationOptions defaults;
  defaults.temperature = 1.0;
  defaults.top_p = 0.9;
  defaults.max_new_tokens = 128;
  defaults.batch_size = 16;
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
  spec.params = generation_param_specs(defaults, /*with_samples_per_prompt=*/false);
  spec.params.push_back(integer_param("n", 16, "samples per prompt", 1.0));
  spec.params.push_back(string_param("generator_name", "",
                                     "the `generator` column's value (empty: the node's name)"));
  return make_node_type(std::move(spec), run_best_of_n);
}

}  // namespace paddock::learning
