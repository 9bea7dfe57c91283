// Descriptions of loaded plugins for `paddock plugins`.
#include "paddock/core/plugin_describer.hpp"

namespace paddock::core {
namespace {

nlohmann::ordered_json describe_port(const PortSpec& port, bool is_input) {
  nlohmann::ordered_json out = {{"name", port.name}, {"type", port.type}, {"doc", port.doc}};
  if (is_input) {
    out["optional"] = port.optional;
    out["multiple"] = port.multiple;
  }
  return out;
}

nlohmann::ordered_json describe_param(const ParamSpec& param) {
  nlohmann::ordered_json out = {{"name", param.name},
                                {"type", std::string(to_string(param.type))},
                                {"required", param.required},
                                {"default", param.default_value},
                                {"doc", param.doc}};
  if (param.minimum) out["minimum"] = *param.minimum;
  if (param.maximum) out["maximum"] = *param.maximum;
  if (!param.choices.empty()) out["choices"] = param.choices;
  return out;
}

std::string range_text(const ParamSpec& param) {
  if (!param.minimum && !param.maximum) return "";
  auto number = [](double v) {
    nlohmann::json j = v;
    if (v == static_cast<double>(static_cast<long long>(v))) j = static_cast<long long>(v);
    return j.dump();
  };
  return " in [" + (param.minimum ? number(*param.minimum) : std::string("-inf")) + ", " +
         (param.maximum ? number(*param.maximum) : std::string("inf")) + "]";
}

// " (with reward)" for a port that declares capabilities.
std::string capability_text(
    const std::string& word,
    const std::map<std::string, std::vector<std::string>, std::less<>>& ports,
    const std::string& port) {
  auto found = ports.find(port);
  if (found == ports.end()) return "";
  std::string text;
  for (const auto& capability : found->second) text += (text.empty() ? "" : ", ") + capability;
  return " (" + word + " " + text + ")";
}

}  // namespace

nlohmann::ordered_json describe_plugins_json(const PluginRegistry& registry) {
  nlohmann::ordered_json plugins = nlohmann::ordered_json::array();
  for (const auto& plugin : registry.plugins()) {
    nlohmann::ordered_json entry = {
        {"name", plugin->name},
        {"version", plugin->version},
        {"description", plugin->description},
        {"file", plugin->file.string()},
        {"abi", std::to_string(plugin->abi_major) + "." + std::to_string(plugin->abi_minor)},
        {"build_fingerprint", plugin->build_fingerprint},
        {"model_backends", plugin->model_backends}};
    nlohmann::ordered_json types = nlohmann::ordered_json::array();
    for (const std::string& type_name : plugin->node_types) {
      const RegisteredNodeType& registered = *registry.find_node_type(type_name);
      const NodeTypeSpec& spec = registered.spec;
      nlohmann::ordered_json type = {{"name", spec.name},
                                     {"kind", std::string(to_string(spec.kind))},
                                     {"data_parallel", registered.data_parallel},
                                     {"summary", spec.summary},
                                     {"doc", spec.doc}};
      type["inputs"] = nlohmann::ordered_json::array();
      for (const auto& port : spec.inputs) type["inputs"].push_back(describe_port(port, true));
      type["outputs"] = nlohmann::ordered_json::array();
      for (const auto& port : spec.outputs) type["outputs"].push_back(describe_port(port, false));
      type["params"] = nlohmann::ordered_json::array();
      for (const auto& param : spec.params) type["params"].push_back(describe_param(param));
      type["rules"] = nlohmann::ordered_json::array();
      for (const auto& rule : registered.rules)
        type["rules"].push_back({{"params", rule.params}, {"doc", rule.doc}});
      type["required_capabilities"] = registered.input_capabilities;
      type["promised_capabilities"] = registered.output_capabilities;
      types.push_back(std::move(type));
    }
    entry["node_types"] = std::move(types);
    plugins.push_back(std::move(entry));
  }
  nlohmann::ordered_json problems = nlohmann::ordered_json::array();
  for (const auto& problem : registry.problems()) {
    problems.push_back({{"file", problem.file.string()}, {"message", problem.message}});
  }
  return {{"plugins", std::move(plugins)}, {"problems", std::move(problems)}};
}

std::string describe_plugins_text(const PluginRegistry& registry) {
  std::string text;
  for (const auto& plugin : registry.plugins()) {
    text += "Plugin " + plugin->name + " " + plugin->version + "\n";
    text += "  " + plugin->description + "\n";
    text += "  file: " + plugin->file.string() + "\n";
    text += "  abi " + std::to_string(plugin->abi_major) + "." + std::to_string(plugin->abi_minor) +
            ", built " + plugin->build_fingerprint + "\n";
    for (const auto& backend : plugin->model_backends) text += "  model backend: " + backend + "\n";
    for (const std::string& type_name : plugin->node_types) {
      const RegisteredNodeType& registered = *registry.find_node_type(type_name);
      const NodeTypeSpec& spec = registered.spec;
      text += "\n  " + spec.name + " (" + std::string(to_string(spec.kind)) +
              (registered.data_parallel ? ", data-parallel" : "") + "): " + spec.summary + "\n";
      if (!spec.doc.empty()) text += "    " + spec.doc + "\n";
      for (const auto& port : spec.inputs) {
        text += "    input  " + port.name + ": " + port.type + (port.multiple ? "[]" : "") +
                capability_text("with", registered.input_capabilities, port.name) +
                (port.optional ? " (optional)" : "") + "  " + port.doc + "\n";
      }
      for (const auto& port : spec.outputs) {
        text += "    output " + port.name + ": " + port.type +
                capability_text("promised", registered.output_capabilities, port.name) + "  " +
                port.doc + "\n";
      }
      for (const auto& param : spec.params) {
        text += "    param  " + param.name + ": " + std::string(to_string(param.type));
        if (param.required) {
          text += " (required)";
        } else if (!param.default_value.is_null()) {
          text += " = " + param.default_value.dump();
        }
        text += range_text(param);
        if (!param.choices.empty()) {
          text += " one of";
          for (const auto& choice : param.choices) text += " " + choice;
        }
        text += "  " + param.doc + "\n";
      }
      for (const auto& rule : registered.rules) {
        std::string names;
        for (const auto& name : rule.params) names += (names.empty() ? "" : ", ") + name;
        text += "    rule   " + names + ": " + rule.doc + "\n";
      }
    }
    text += "\n";
  }
  for (const auto& problem : registry.problems()) text += "Not loaded: " + problem.message + "\n";
  if (registry.plugins().empty() && registry.problems().empty()) text += "No plugins found.\n";
  return text;
}

}  // namespace paddock::core
