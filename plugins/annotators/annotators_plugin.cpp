// The `annotators` plugin: simulated and imported annotators (API LLM judges, the noisy
// ensemble, human files, reward-model judges), pair builders, the `annotate` transform and
// judge evaluation. The logic lives in paddock_annotators_lib.
#include "annotator_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_annotators(paddock::Registrar& registrar) {
  using namespace paddock::annotators;
  registrar.add_node_type(api_llm_node_type());
  registrar.add_node_type(noisy_ensemble_node_type());
  registrar.add_node_type(human_file_node_type());
  registrar.add_node_type(human_file_dataset_node_type());
  registrar.add_node_type(reward_judge_node_type());
  registrar.add_node_type(annotate_node_type());
  registrar.add_node_type(pairs_head_to_head_node_type());
  registrar.add_node_type(pairs_from_samples_node_type());
  registrar.add_node_type(judge_eval_node_type());
  registrar.add_node_type(longest_judge_node_type());
}

}  // namespace

PADDOCK_PLUGIN("annotators", "0.1.0",
               "Annotators: API LLM judges, the noisy ensemble, human annotation files, "
               "reward-model judges, pair builders and judge evaluation.",
               register_annotators)
