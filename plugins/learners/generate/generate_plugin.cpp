// The `generate` plugin: registers the `generate` node type, which lives in paddock_learning.
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_generate(paddock::Registrar& registrar) {
  paddock::add_node_type(registrar, paddock::learning::generate_node_type());
}

}  // namespace

PADDOCK_PLUGIN("generate", "0.1.0",
               "Generating outputs for Alpaca prompts with any text-generating Model.",
               register_generate)
