// Node types of the `annotators` plugin.
#pragma once

#include "paddock/node.hpp"

namespace paddock::annotators {

NodeTypeSpec noisy_ensemble_node_type();
NodeTypeSpec annotate_node_type();
NodeTypeSpec pairs_head_to_head_node_type();
NodeTypeSpec pairs_from_samples_node_type();
NodeTypeSpec human_file_node_type();
NodeTypeSpec human_file_dataset_node_type();
NodeTypeSpec reward_judge_node_type();
NodeTypeSpec api_llm_node_type();
NodeTypeSpec judge_eval_node_type();
NodeTypeSpec longest_judge_node_type();

}  // namespace paddock::annotators
