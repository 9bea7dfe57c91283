// Turning a node's parameter settings into the Params it runs with: each value checked
// against its declaration, defaults filled in, relative paths resolved, and the node type's
// cross-field rules checked. Pipeline validation and the tests' node harness both use it,
// so a node sees exactly what the host would hand it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/core/diagnostic.hpp"
#include "paddock/node.hpp"
#include "paddock/params.hpp"

namespace paddock::core {

struct ParamSetting {
  std::string key;
  nlohmann::json value;
  SourceLocation location;  // of the key, for messages
};

struct ParamProblem {
  SourceLocation location;
  std::string message;
};

// The parameters of a node of type `spec` set to `settings`. Every problem is appended to
// `problems`, located at its setting (or at `node_location` for a missing value); rules run
// only when every value is sound. Relative paths are resolved against `base_directory`.
Params resolve_params(const NodeTypeSpec& spec, const std::vector<ParamRule>& rules,
                      const std::vector<ParamSetting>& settings,
                      const SourceLocation& node_location,
                      const std::filesystem::path& base_directory,
                      std::vector<ParamProblem>& problems);

// The same for values given as a JSON object (no locations); throws paddock::Error listing
// every problem.
Params resolve_params(const NodeTypeSpec& spec, const std::vector<ParamRule>& rules,
                      const nlohmann::json& values,
                      const std::filesystem::path& base_directory = {});

}  // namespace paddock::core
