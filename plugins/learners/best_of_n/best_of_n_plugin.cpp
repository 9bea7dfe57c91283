// The `best_of_n` plugin: registers the `best_of_n` node type, which lives in paddock_learning.
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_best_of_n(paddock::Registrar& registrar) {
  paddock::add_node_type(registrar, paddock::learning::best_of_n_node_type());
}

}  // namespace

PADDOCK_PLUGIN("best_of_n", "0.1.0", "Best-of-n sampling with a reward model.", register_best_of_n)
