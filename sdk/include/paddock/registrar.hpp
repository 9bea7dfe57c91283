// The object a plugin's registration function receives: it adds node types and model
// backends to the host.
#pragma once

#include "paddock/model.hpp"
#include "paddock/node.hpp"

namespace paddock {

class PADDOCK_API Registrar {
 public:
  virtual ~Registrar();
  virtual void add_node_type(NodeTypeSpec spec) = 0;
  virtual void add_model_backend(ModelBackendSpec spec) = 0;
};

}  // namespace paddock
