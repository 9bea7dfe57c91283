// The `lm_probe` plugin: registers the `lm_probe` node type, which lives in paddock_learning.
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_lm_probe(paddock::Registrar& registrar) {
  paddock::add_node_type(registrar, paddock::learning::lm_probe_node_type());
}

}  // namespace

PADDOCK_PLUGIN("lm_probe", "0.1.0",
               "Probing what a language model can do: completion accuracy and copying.",
               register_lm_probe)
