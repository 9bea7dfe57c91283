// Node types of the `transformer` plugin.
#pragma once

#include "paddock/model.hpp"
#include "paddock/node.hpp"

namespace paddock::transformer {

NodeTypeSpec transformer_init_node_type();
NodeTypeSpec transformer_load_node_type();
ModelBackendSpec transformer_backend();

}  // namespace paddock::transformer
