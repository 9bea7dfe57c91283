// The `sft` plugin: registers the `sft` node type, which lives in paddock_learning.
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_sft(paddock::Registrar& registrar) {
  paddock::add_node_type(registrar, paddock::learning::sft_node_type());
}

}  // namespace

PADDOCK_PLUGIN("sft", "0.1.0", "Supervised fine-tuning and language-model training of causal LMs.",
               register_sft)
