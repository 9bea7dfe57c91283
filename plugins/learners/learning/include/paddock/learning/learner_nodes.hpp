// The node types of the learner plugins. They live in the paddock_learning library so the
// tests run them directly; each plugin .so registers its own.
#pragma once

#include "paddock/node_declaration.hpp"

namespace paddock::learning {

NodeTypeDeclaration sft_node_type();
NodeTypeDeclaration reward_model_node_type();
NodeTypeDeclaration generate_node_type();
NodeTypeDeclaration best_of_n_node_type();
NodeTypeDeclaration expert_iteration_node_type();
NodeTypeDeclaration dpo_node_type();
NodeTypeDeclaration lm_probe_node_type();

}  // namespace paddock::learning
