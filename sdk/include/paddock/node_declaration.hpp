// Everything a plugin says about one node type, registered in one call: the spec, the
// cross-field rules of its parameters, the capabilities of its ports and whether it is
// data-parallel.
//
//   registrar_add(registrar, my_node_declaration());
//
// Header-only: it calls Registrar's functions (ABI 2.1), so a plugin using it needs a 2.1 host.
#pragma once

#include <string>
#include <vector>

#include "paddock/node.hpp"
#include "paddock/port_capabilities.hpp"
#include "paddock/registrar.hpp"

namespace paddock {

struct PortCapabilities {
  std::string port;
  std::vector<std::string> capabilities;  // capability:: names
};

struct NodeTypeDeclaration {
  NodeTypeSpec spec;
  std::vector<ParamRule> rules;
  std::vector<PortCapabilities> required;  // inputs: what their Model must have
  std::vector<PortCapabilities> promised;  // outputs: what their Model is promised to have
  bool data_parallel = false;              // see Registrar::declare_data_parallel
};

inline void add_node_type(Registrar& registrar, NodeTypeDeclaration declaration) {
  const std::string name = declaration.spec.name;
  registrar.add_node_type(std::move(declaration.spec));
  for (auto& rule : declaration.rules) registrar.add_param_rule(name, std::move(rule));
  for (auto& port : declaration.required)
    registrar.require_capabilities(name, port.port, std::move(port.capabilities));
  for (auto& port : declaration.promised)
    registrar.promise_capabilities(name, port.port, std::move(port.capabilities));
  if (declaration.data_parallel) registrar.declare_data_parallel(name);
}

}  // namespace paddock
