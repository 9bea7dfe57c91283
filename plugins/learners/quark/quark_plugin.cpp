// The `quark` plugin.
#include "paddock/plugin.hpp"
#include "paddock/quark/quark_learner.hpp"

namespace {

void register_quark(paddock::Registrar& registrar) {
  paddock::add_node_type(registrar, paddock::quark::quark_node_type());
}

}  // namespace

PADDOCK_PLUGIN("quark", "0.1.0", "The Quark learner.", register_quark)
