// The `ppo` plugin.
#include "paddock/plugin.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"

namespace {

void register_ppo(paddock::Registrar& registrar) {
  // Data-parallel: trains on every rank (docs/distributed.md).
  paddock::add_node_type(registrar, paddock::rl::ppo_node_type());
}

}  // namespace

PADDOCK_PLUGIN("ppo", "0.2.0", "The PPO learner.", register_ppo)
