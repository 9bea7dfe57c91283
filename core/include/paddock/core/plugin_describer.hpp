// `paddock plugins`: every plugin found, where it came from, and its node types with ports
// and parameters, as text for people or JSON for tools.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "paddock/core/plugin_registry.hpp"

namespace paddock::core {

nlohmann::ordered_json describe_plugins_json(const PluginRegistry& registry);
std::string describe_plugins_text(const PluginRegistry& registry);

}  // namespace paddock::core
