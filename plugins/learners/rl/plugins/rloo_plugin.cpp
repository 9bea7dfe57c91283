// The `rloo` plugin.
#include "paddock/plugin.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"

namespace {

void register_rloo(paddock::Registrar& registrar) {
  // Data-parallel: trains on every rank (docs/distributed.md).
  paddock::add_node_type(registrar, paddock::rl::rloo_node_type());
}

}  // namespace

PADDOCK_PLUGIN("rloo", "0.2.0", "The RLOO learner.", register_rloo)
