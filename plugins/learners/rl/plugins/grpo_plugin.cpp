// The `grpo` plugin.
#include "paddock/plugin.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"

namespace {

void register_grpo(paddock::Registrar& registrar) {
  registrar.add_node_type(paddock::rl::grpo_node_type());
  registrar.declare_data_parallel("grpo");  // trains on every rank (docs/distributed.md)
}

}  // namespace

PADDOCK_PLUGIN("grpo", "0.2.0", "The GRPO learner.", register_grpo)
