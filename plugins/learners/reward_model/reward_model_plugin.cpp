// The `reward_model` plugin: registers the `reward_model` node type, which lives in
// paddock_learning.
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_reward_model(paddock::Registrar& registrar) {
  paddock::add_node_type(registrar, paddock::learning::reward_model_node_type());
}

}  // namespace

PADDOCK_PLUGIN("reward_model", "0.1.0", "Bradley-Terry reward models on pairwise preferences.",
               register_reward_model)
