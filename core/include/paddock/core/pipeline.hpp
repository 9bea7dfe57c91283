// A pipeline as written in TOML: [pipeline] settings, [plugins] paths and [nodes.NAME]
// tables, every value kept with its source location for error messages.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/core/diagnostic.hpp"

namespace paddock::core {

struct NodeSetting {
  std::string key;
  nlohmann::json value;  // TOML converted to JSON; integers stay integers
  SourceLocation location;
};

struct NodeDeclaration {
  std::string name;
  SourceLocation location;
  std::string use;
  SourceLocation use_location;
  std::vector<NodeSetting> settings;  // every key but `use`, in file order
};

struct Pipeline {
  std::filesystem::path file;
  std::string name;
  std::uint64_t seed = 0;
  std::string device = "auto";
  std::filesystem::path workdir;  // defaults to runs/<name>, relative to the current directory
  std::vector<std::filesystem::path> plugin_directories;  // relative to the pipeline file
  std::vector<NodeDeclaration> nodes;                     // in file order
};

// "node.key=value" from the command line; the value is read as TOML, or as a plain string
// when it is not valid TOML.
struct SettingOverride {
  std::string text;
};

// Parses a pipeline file; throws PipelineError with every problem found.
Pipeline parse_pipeline_file(const std::filesystem::path& file,
                             const std::vector<SettingOverride>& overrides = {});
// Parses pipeline text; `file` names it in messages.
Pipeline parse_pipeline_text(const std::string& text, const std::filesystem::path& file,
                             const std::vector<SettingOverride>& overrides = {});

}  // namespace paddock::core
