// Checks of parameter values against their schema, shared by pipeline validation and by
// the registry's check of a node type's declared defaults.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "paddock/node.hpp"
#include "paddock/params.hpp"

namespace paddock::core {

// Checks `value` against `spec`, normalising numbers to floating point where the type asks
// for it; returns an empty string when it fits, otherwise what is wrong.
std::string check_param_value(const ParamSpec& spec, nlohmann::json& value);

// Checks a node type's declaration: known artifact types, unique port and parameter names,
// defaults that fit their types. Returns an empty string when it is sound.
std::string check_node_type(const NodeTypeSpec& spec);

}  // namespace paddock::core
