// Checking a node's parameter settings, filling defaults and running cross-field rules.
#include "paddock/core/param_resolution.hpp"

#include <algorithm>

#include "paddock/core/param_check.hpp"
#include "paddock/error.hpp"

namespace paddock::core {
namespace {

std::string resolve_path(const std::filesystem::path& base, const std::string& text) {
  std::filesystem::path path(text);
  if (path.is_relative() && !base.empty()) path = base / path;
  return path.lexically_normal().string();
}

std::string listed(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

void check_rules(const std::vector<ParamRule>& rules, const Params& params,
                 const std::vector<ParamSetting>& settings, const SourceLocation& node_location,
                 std::vector<ParamProblem>& problems) {
  for (const ParamRule& rule : rules) {
    std::string problem;
    try {
      problem = rule.check(params);
    } catch (const std::exception& error) {
      problem = error.what();
    }
    if (problem.empty()) continue;
    // Locate the violation at the first related parameter the pipeline sets.
    SourceLocation location = node_location;
    for (const auto& name : rule.params) {
      auto set = std::find_if(settings.begin(), settings.end(),
                              [&](const ParamSetting& s) { return s.key == name; });
      if (set != settings.end()) {
        location = set->location;
        break;
      }
    }
    const std::string subject = rule.params.size() == 1 ? "parameter " : "parameters ";
    problems.push_back({location, subject + listed(rule.params) + ": " + problem});
  }
}

}  // namespace

Params resolve_params(const NodeTypeSpec& spec, const std::vector<ParamRule>& rules,
                      const std::vector<ParamSetting>& settings,
                      const SourceLocation& node_location,
                      const std::filesystem::path& base_directory,
                      std::vector<ParamProblem>& problems) {
  const std::size_t problems_before = problems.size();
  nlohmann::json values = nlohmann::json::object();
  for (const ParamSetting& setting : settings) {
    auto param = std::find_if(spec.params.begin(), spec.params.end(),
                              [&](const ParamSpec& p) { return p.name == setting.key; });
    if (param == spec.params.end()) {
      std::vector<std::string> names;
      for (const auto& p : spec.params) names.push_back(p.name);
      for (const auto& p : spec.inputs) names.push_back(p.name);
      std::string hint = suggest_name(setting.key, names);
      problems.push_back({setting.location, "unknown parameter or input '" + setting.key +
                                                "' for node type '" + spec.name + "'" +
                                                (hint.empty() ? "" : "; " + hint)});
      continue;
    }
    nlohmann::json value = setting.value;
    if (std::string problem = check_param_value(*param, value); !problem.empty()) {
      problems.push_back({setting.location, "parameter '" + param->name + "': " + problem});
      continue;
    }
    if (param->type == ParamType::path)
      value = resolve_path(base_directory, value.get<std::string>());
    values[param->name] = std::move(value);
  }
  for (const ParamSpec& param : spec.params) {
    if (values.contains(param.name)) continue;
    if (!param.default_value.is_null()) {
      values[param.name] =
          param.type == ParamType::path && param.default_value != ""
              ? nlohmann::json(resolve_path(base_directory, param.default_value.get<std::string>()))
              : param.default_value;
    } else if (param.required) {
      problems.push_back({node_location, "missing required parameter '" + param.name + "' (" +
                                             std::string(to_string(param.type)) + ": " + param.doc +
                                             ")"});
    }
  }
  Params params(std::move(values));
  if (problems.size() == problems_before)
    check_rules(rules, params, settings, node_location, problems);
  return params;
}

Params resolve_params(const NodeTypeSpec& spec, const std::vector<ParamRule>& rules,
                      const nlohmann::json& values, const std::filesystem::path& base_directory) {
  if (!values.is_object() && !values.is_null())
    throw Error("node type '" + spec.name + "': parameters must be a table");
  std::vector<ParamSetting> settings;
  if (values.is_null())
    return resolve_params(spec, rules, nlohmann::json::object(), base_directory);
  for (const auto& [key, value] : values.items()) settings.push_back({key, value, {}});
  std::vector<ParamProblem> problems;
  Params params = resolve_params(spec, rules, settings, {}, base_directory, problems);
  if (!problems.empty()) {
    std::string text = "node type '" + spec.name + "':";
    for (const auto& problem : problems) text += " " + problem.message + ";";
    text.pop_back();
    throw Error(text);
  }
  return params;
}

}  // namespace paddock::core
