// The `dpo` plugin: registers the `dpo` node type, which lives in paddock_learning.
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_dpo(paddock::Registrar& registrar) {
  registrar.add_node_type(paddock::learning::dpo_node_type());
  registrar.declare_data_parallel("dpo");  // trains on every rank (docs/distributed.md)
}

}  // namespace

PADDOCK_PLUGIN("dpo", "0.1.0", "Direct Preference Optimisation (DPO and IPO).", register_dpo)
