// The `expert_iteration` plugin: registers the `expert_iteration` node type, which lives in
// paddock_learning.
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_expert_iteration(paddock::Registrar& registrar) {
  paddock::add_node_type(registrar, paddock::learning::expert_iteration_node_type());
}

}  // namespace

PADDOCK_PLUGIN("expert_iteration", "0.1.0", "Expert iteration: best-of-n, then SFT on the winners.",
               register_expert_iteration)
