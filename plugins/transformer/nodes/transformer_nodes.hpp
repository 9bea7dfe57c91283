// Node types of the `transformer` plugin.
#pragma once

#include "paddock/model.hpp"
#include "paddock/node.hpp"

namespace paddock::transformer {

NodeTypeSpec transformer_init_node_type();
NodeTypeSpec transformer_load_node_type();
NodeTypeSpec model_export_node_type();

// What model_export writes beside a shipped checkpoint, and transformer_load checks.
inline constexpr const char* kProvenanceFile = "paddock_provenance.json";
ModelBackendSpec transformer_backend();

}  // namespace paddock::transformer
