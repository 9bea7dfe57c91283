// The `rloo` plugin.
#include "paddock/plugin.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"

namespace {

void register_rloo(paddock::Registrar& registrar) {
  registrar.add_node_type(paddock::rl::rloo_node_type());
  registrar.declare_data_parallel("rloo");  // trains on every rank (docs/distributed.md)
}

}  // namespace

PADDOCK_PLUGIN("rloo", "0.2.0", "The RLOO learner.", register_rloo)
