// The `ppo` plugin.
#include "paddock/plugin.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"

namespace {

void register_ppo(paddock::Registrar& registrar) {
  registrar.add_node_type(paddock::rl::ppo_node_type());
}

}  // namespace

PADDOCK_PLUGIN("ppo", "0.1.0", "The PPO learner.", register_ppo)
