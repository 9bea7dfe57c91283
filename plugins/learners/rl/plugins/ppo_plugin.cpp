// The `ppo` plugin.
#include "paddock/plugin.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"

namespace {

void register_ppo(paddock::Registrar& registrar) {
  registrar.add_node_type(paddock::rl::ppo_node_type());
  registrar.declare_data_parallel("ppo");  // trains on every rank (docs/distributed.md)
}

}  // namespace

PADDOCK_PLUGIN("ppo", "0.2.0", "The PPO learner.", register_ppo)
