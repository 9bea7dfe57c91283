// The `dpo` plugin: registers the `dpo` node type, which lives in paddock_learning.
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_dpo(paddock::Registrar& registrar) {
  paddock::add_node_type(registrar, paddock::learning::dpo_node_type());
}

}  // namespace

PADDOCK_PLUGIN("dpo", "0.1.0", "Direct Preference Optimisation (DPO and IPO).", register_dpo)
