// The object a plugin's registration function receives: it adds node types and model
// backends to the host.
#pragma once

#include <string_view>

#include "paddock/model.hpp"
#include "paddock/node.hpp"

namespace paddock {

class PADDOCK_API Registrar {
 public:
  virtual ~Registrar();
  virtual void add_node_type(NodeTypeSpec spec) = 0;
  virtual void add_model_backend(ModelBackendSpec spec) = 0;
  // Since ABI 1.1. Declares that node type `name` (added by this plugin) is data-parallel:
  // in a run with several ranks it runs on every rank, which share its work through
  // NodeContext::rank() and world_size(); rank 0's outputs are kept. Node types not
  // declared so run on rank 0 alone, which suits any node that calls paid APIs.
  virtual void declare_data_parallel(std::string_view name);
};

}  // namespace paddock
