// Parameter value checks and node type declaration checks.
#include "paddock/core/param_check.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "paddock/core/artifact_store.hpp"

namespace paddock::core {
namespace {

std::string describe_json_type(const nlohmann::json& value) {
  if (value.is_number_integer()) return "an integer";
  if (value.is_number_float()) return "a float";
  if (value.is_boolean()) return "a boolean";
  if (value.is_string()) return "a string";
  if (value.is_array()) return "an array";
  if (value.is_object()) return "a table";
  return value.type_name();
}

std::string format_number(double value) {
  if (value == std::floor(value) && std::abs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  return text;
}

}  // namespace

std::string check_param_value(const ParamSpec& spec, nlohmann::json& value) {
  const std::string expected =
      "expected " + std::string(to_string(spec.type)) + ", found " + describe_json_type(value);
  switch (spec.type) {
    case ParamType::boolean:
      if (!value.is_boolean()) return expected;
      break;
    case ParamType::integer:
      if (!value.is_number_integer()) return expected;
      break;
    case ParamType::number:
      if (!value.is_number()) return expected;
      value = value.get<double>();
      if (!std::isfinite(value.get<double>())) return "expected a finite number";
      break;
    case ParamType::path:
      if (!value.is_string()) return expected;
      if (value.get<std::string>().empty()) return "expected a path, found an empty string";
      break;
    case ParamType::string:
      if (!value.is_string()) return expected;
      if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(),
                                             value.get<std::string>()) == spec.choices.end()) {
        std::string allowed;
        for (const auto& choice : spec.choices)
          allowed += (allowed.empty() ? "" : ", ") + ("\"" + choice + "\"");
        return "\"" + value.get<std::string>() + "\" is not one of " + allowed;
      }
      break;
    case ParamType::string_list:
      if (!value.is_array() ||
          !std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_string(); })) {
        return "expected an array of strings";
      }
      break;
    case ParamType::number_list:
      if (!value.is_array() ||
          !std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_number(); })) {
        return "expected an array of numbers";
      }
      for (auto& element : value) element = element.get<double>();
      break;
    case ParamType::table:
      if (!value.is_object()) return expected;
      break;
  }
  if (value.is_number()) {
    const double number = value.get<double>();
    if (spec.minimum && number < *spec.minimum) {
      return "value " + format_number(number) + " is below the minimum " +
             format_number(*spec.minimum);
    }
    if (spec.maximum && number > *spec.maximum) {
      return "value " + format_number(number) + " is above the maximum " +
             format_number(*spec.maximum);
    }
  }
  return {};
}

std::string check_node_type(const NodeTypeSpec& spec) {
  static const std::set<std::string> kArtifactTypes = {"Dataset", "Model", "Annotator", "Report"};
  std::set<std::string> inputs_and_params, outputs;
  bool makes_annotator = false, makes_persistable = false;
  for (const PortSpec& port : spec.inputs) {
    if (kArtifactTypes.count(port.type) == 0)
      return "input '" + port.name + "' has unknown artifact type '" + port.type + "'";
    if (!inputs_and_params.insert(port.name).second)
      return "the name '" + port.name + "' is declared twice";
  }
  for (const PortSpec& port : spec.outputs) {
    if (kArtifactTypes.count(port.type) == 0)
      return "output '" + port.name + "' has unknown artifact type '" + port.type + "'";
    if (!outputs.insert(port.name).second) return "output '" + port.name + "' is declared twice";
    (is_persistable(port.type) ? makes_persistable : makes_annotator) = true;
  }
  if (makes_annotator && makes_persistable) {
    return "a node type that outputs an Annotator outputs nothing else (it is not cached)";
  }
  for (const ParamSpec& param : spec.params) {
    if (!inputs_and_params.insert(param.name).second)
      return "the name '" + param.name + "' is declared twice";
    if (param.default_value.is_null()) continue;
    nlohmann::json value = param.default_value;
    if (param.type == ParamType::path && value == "") continue;  // "" means "no file"
    if (std::string problem = check_param_value(param, value); !problem.empty()) {
      return "the default of parameter '" + param.name + "' does not fit: " + problem;
    }
  }
  if (inputs_and_params.count("use") != 0)
    return "'use' is reserved and cannot name a port or parameter";
  return {};
}

}  // namespace paddock::core
