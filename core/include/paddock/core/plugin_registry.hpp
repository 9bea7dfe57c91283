// Finds, loads and checks plugins, and holds what they register. Plugins are loaded once and
// never unloaded: callbacks, typeinfo and deleters from a plugin may live until exit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "paddock/model.hpp"
#include "paddock/node.hpp"

namespace paddock::core {

struct LoadedPlugin {
  std::filesystem::path file;
  std::string name;
  std::string version;
  std::string description;
  std::string build_fingerprint;
  std::uint16_t abi_major = 0;
  std::uint16_t abi_minor = 0;
  std::vector<std::string> node_types;
  std::vector<std::string> model_backends;

  std::string label() const { return name + " " + version; }
};

struct PluginProblem {
  std::filesystem::path file;
  std::string message;
};

struct RegisteredNodeType {
  NodeTypeSpec spec;
  const LoadedPlugin* plugin = nullptr;
  bool data_parallel = false;    // Registrar::declare_data_parallel: runs on every rank
  std::vector<ParamRule> rules;  // Registrar::add_param_rule, checked at validation
  // Registrar::require_capabilities and promise_capabilities: what an input's Model must
  // have, what an output's is promised to have; ports not named declare none.
  std::map<std::string, std::vector<std::string>, std::less<>> input_capabilities;
  std::map<std::string, std::vector<std::string>, std::less<>> output_capabilities;
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Loads every `*.so` in each directory (not recursive), directories in the order given and
  // files in name order. Earlier directories win when two offer the same plugin.
  void load_directories(const std::vector<std::filesystem::path>& directories);
  // Loads one file; on failure records a PluginProblem and returns false.
  bool load_file(const std::filesystem::path& file);

  const RegisteredNodeType* find_node_type(std::string_view name) const;
  const ModelBackendSpec* find_model_backend(std::string_view name) const;
  std::vector<std::string> node_type_names() const;

  const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
  const std::vector<PluginProblem>& problems() const { return problems_; }

 private:
  void record_problem(const std::filesystem::path& file, std::string message);

  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<PluginProblem> problems_;
  std::map<std::string, RegisteredNodeType, std::less<>> node_types_;
  std::map<std::string, std::pair<ModelBackendSpec, const LoadedPlugin*>, std::less<>> backends_;
};

// Compares a plugin's build fingerprint with the host's; returns an empty string when they
// are compatible, otherwise a sentence saying what differs.
std::string check_build_fingerprint(std::string_view plugin_fingerprint,
                                    std::string_view host_fingerprint);

// The host's own fingerprint (its standard library, string ABI and LibTorch version).
std::string host_build_fingerprint();

// The plugin search path, in order: explicit directories (from --plugin-path),
// PADDOCK_PLUGIN_PATH, the pipeline's [plugins] paths, then the install's plugin folder.
std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& explicit_directories,
    const std::vector<std::filesystem::path>& pipeline_directories);

// <prefix>/lib/paddock/plugins for the running executable at <prefix>/bin/.
std::filesystem::path installed_plugin_directory();

}  // namespace paddock::core
