// The `grpo` plugin.
#include "paddock/plugin.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"

namespace {

void register_grpo(paddock::Registrar& registrar) {
  // Data-parallel: trains on every rank (docs/distributed.md).
  paddock::add_node_type(registrar, paddock::rl::grpo_node_type());
}

}  // namespace

PADDOCK_PLUGIN("grpo", "0.2.0", "The GRPO learner.", register_grpo)
