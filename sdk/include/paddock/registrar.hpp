// The object a plugin's registration function receives: it adds node types and model
// backends to the host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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
  // Since ABI 2.1. A cross-field rule of node type `name`'s parameters (added by this
  // plugin), checked by the host when it validates a pipeline.
  virtual void add_param_rule(std::string_view name, ParamRule rule);
  // Since ABI 2.1. What the Model at input `port` of node type `name` must have (capability
  // names, see port_capabilities.hpp). The host refuses a wiring from an output that does
  // not promise them and checks a Model from any other output before the node runs.
  virtual void require_capabilities(std::string_view name, std::string_view port,
                                    std::vector<std::string> capabilities);
  // Since ABI 2.1. What the Model at output `port` of node type `name` is promised to have;
  // the host checks the promise after the node ran.
  virtual void promise_capabilities(std::string_view name, std::string_view port,
                                    std::vector<std::string> capabilities);
};

}  // namespace paddock
