// The node types of the learner plugins. They live in the paddock_learning library so the
// tests run them directly; each plugin .so registers its own.
#pragma once

#include "paddock/node.hpp"

namespace paddock::learning {

NodeTypeSpec sft_node_type();
NodeTypeSpec reward_model_node_type();
NodeTypeSpec generate_node_type();
NodeTypeSpec best_of_n_node_type();
NodeTypeSpec expert_iteration_node_type();
NodeTypeSpec dpo_node_type();
NodeTypeSpec lm_probe_node_type();

}  // namespace paddock::learning
