// Plugin discovery and loading with Boost.DLL, version and fingerprint checks, and the
// tables of registered node types and model backends.
#include "paddock/core/plugin_registry.hpp"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "paddock/build_config.hpp"
#include "paddock/core/param_check.hpp"
#include "paddock/plugin.hpp"

namespace paddock::core {
namespace {

// Loaded libraries live until the process ends: unloading one while a std::function,
// deleter or typeinfo from it is still referenced crashes. Deliberately never destroyed.
std::vector<boost::dll::shared_library>& resident_libraries() {
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  return *libraries;
}

std::map<std::string, std::string> parse_fingerprint(std::string_view text) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view field = text.substr(start, end - start);
    const std::size_t equals = field.find('=');
    if (equals != std::string_view::npos) {
      fields[std::string(field.substr(0, equals))] = std::string(field.substr(equals + 1));
    }
    start = end + 1;
  }
  return fields;
}

// Collects a plugin's registrations; committed only if the whole registration succeeds.
class CollectingRegistrar : public Registrar {
 public:
  void add_node_type(NodeTypeSpec spec) override { node_types.push_back(std::move(spec)); }
  void add_model_backend(ModelBackendSpec spec) override { backends.push_back(std::move(spec)); }
  void declare_data_parallel(std::string_view name) override { data_parallel.emplace(name); }
  void add_param_rule(std::string_view name, ParamRule rule) override {
    rules.emplace_back(std::string(name), std::move(rule));
  }
  void require_capabilities(std::string_view name, std::string_view port,
                            std::vector<std::string> capabilities) override {
    port_capabilities.push_back(
        {std::string(name), std::string(port), true, std::move(capabilities)});
  }
  void promise_capabilities(std::string_view name, std::string_view port,
                            std::vector<std::string> capabilities) override {
    port_capabilities.push_back(
        {std::string(name), std::string(port), false, std::move(capabilities)});
  }

  struct DeclaredCapabilities {
    std::string node_type;
    std::string port;
    bool input = true;
    std::vector<std::string> capabilities;
  };

  std::vector<NodeTypeSpec> node_types;
  std::vector<ModelBackendSpec> backends;
  std::set<std::string, std::less<>> data_parallel;
  std::vector<std::pair<std::string, ParamRule>> rules;
  std::vector<DeclaredCapabilities> port_capabilities;
};

// Empty when every rule and capability names a node type of this plugin and, for
// capabilities, one of its Model ports; otherwise what is wrong.
std::string check_declarations(const CollectingRegistrar& registrar) {
  auto find_type = [&](const std::string& name) -> const NodeTypeSpec* {
    for (const auto& spec : registrar.node_types)
      if (spec.name == name) return &spec;
    return nullptr;
  };
  for (const auto& [name, rule] : registrar.rules) {
    const NodeTypeSpec* spec = find_type(name);
    if (!spec) return "it adds a parameter rule to node type '" + name + "' but registers none";
    if (!rule.check) return "node type '" + name + "' has a parameter rule without a check";
    for (const auto& param : rule.params) {
      const bool declared = std::any_of(spec->params.begin(), spec->params.end(),
                                        [&](const ParamSpec& p) { return p.name == param; });
      if (!declared)
        return "a parameter rule of node type '" + name + "' names '" + param +
               "', which the node type does not declare";
    }
  }
  for (const auto& declared : registrar.port_capabilities) {
    const NodeTypeSpec* spec = find_type(declared.node_type);
    if (!spec)
      return "it declares capabilities of node type '" + declared.node_type +
             "' but registers none";
    const auto& ports = declared.input ? spec->inputs : spec->outputs;
    const std::string what = declared.input ? "input" : "output";
    auto port = std::find_if(ports.begin(), ports.end(),
                             [&](const PortSpec& p) { return p.name == declared.port; });
    if (port == ports.end())
      return "node type '" + declared.node_type + "' declares capabilities of " + what + " '" +
             declared.port + "', which it does not have";
    if (port->type != artifact_type::kModel)
      return "node type '" + declared.node_type + "' declares capabilities of " + what + " '" +
             declared.port + "', a " + port->type + " (only Model ports have capabilities)";
  }
  return "";
}

}  // namespace

std::string host_build_fingerprint() {
  // The host's torch field is the LibTorch the core was configured with.
  return std::string("stdlib=" PADDOCK_STDLIB_ID ";cxx11abi=" PADDOCK_CXX11_ABI_ID
                     ";" PADDOCK_LIBRARIES_ID ";torch=") +
         PADDOCK_HOST_TORCH_VERSION + ";compiler=" PADDOCK_COMPILER_ID;
}

std::string check_build_fingerprint(std::string_view plugin_fingerprint,
                                    std::string_view host_fingerprint) {
  auto plugin = parse_fingerprint(plugin_fingerprint);
  auto host = parse_fingerprint(host_fingerprint);
  for (const char* field : {"stdlib", "cxx11abi", "spdlog", "json", "torch"}) {
    if (plugin.count(field) == 0) {
      return "its build fingerprint '" + std::string(plugin_fingerprint) + "' has no " + field;
    }
  }
  if (plugin["stdlib"] != host["stdlib"]) {
    return "it was built with the C++ library " + plugin["stdlib"] + " but this host uses " +
           host["stdlib"];
  }
  if (plugin["cxx11abi"] != host["cxx11abi"]) {
    return "it was built with _GLIBCXX_USE_CXX11_ABI=" + plugin["cxx11abi"] +
           " but this host uses " + host["cxx11abi"];
  }
  for (const char* library : {"spdlog", "json"}) {
    if (plugin[library] != host[library]) {
      return std::string("it was built against ") + library + " " + plugin[library] +
             " but this host uses " + host[library];
    }
  }
  if (plugin["torch"] != "none" && plugin["torch"] != host["torch"]) {
    return "it was built against LibTorch " + plugin["torch"] + " but this host uses " +
           host["torch"];
  }
  return {};
}

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;

void PluginRegistry::record_problem(const std::filesystem::path& file, std::string message) {
  problems_.push_back({file, std::move(message)});
}

void PluginRegistry::load_directories(const std::vector<std::filesystem::path>& directories) {
  for (const auto& directory : directories) {
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
      if (entry.path().extension() == ".so" && entry.is_regular_file(error)) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) load_file(file);
  }
}

bool PluginRegistry::load_file(const std::filesystem::path& requested_file) {
  std::error_code error;
  const std::filesystem::path file = std::filesystem::weakly_canonical(requested_file, error);
  for (const auto& plugin : plugins_) {
    if (plugin->file == file) return true;  // the same file reached through two paths
  }

  boost::dll::shared_library library;
  try {
    library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& exception) {
    record_problem(file, "cannot load " + file.string() + ": " + exception.what());
    return false;
  }
  if (!library.has(PADDOCK_PLUGIN_ENTRY_SYMBOL)) {
    record_problem(file, file.string() + " is not a Paddock plugin: it exports no '" +
                             PADDOCK_PLUGIN_ENTRY_SYMBOL + "' symbol");
    return false;
  }
  auto entry = library.get<const paddock_plugin_descriptor*()>(PADDOCK_PLUGIN_ENTRY_SYMBOL);
  const paddock_plugin_descriptor* descriptor = entry();
  resident_libraries().push_back(std::move(library));

  constexpr std::size_t kRequiredSize =
      offsetof(paddock_plugin_descriptor, register_types) + sizeof(descriptor->register_types);
  if (descriptor == nullptr || descriptor->struct_size < kRequiredSize) {
    record_problem(file, "plugin " + file.string() + " returned an invalid descriptor");
    return false;
  }
  const std::string name = descriptor->name ? descriptor->name : "";
  const std::string version = descriptor->version ? descriptor->version : "";
  if (descriptor->abi_major < kAbiMajor) {
    record_problem(
        file, "plugin '" + name + "' (" + file.string() + ") was built for Paddock SDK ABI " +
                  std::to_string(descriptor->abi_major) + "." +
                  std::to_string(descriptor->abi_minor) + ", an older major than this host's " +
                  std::to_string(kAbiMajor) + "." + std::to_string(kAbiMinor) +
                  ", whose structs differ; rebuild the plugin against this Paddock SDK");
    return false;
  }
  if (descriptor->abi_major != kAbiMajor || descriptor->abi_minor > kAbiMinor) {
    record_problem(file, "plugin '" + name + "' (" + file.string() + ") needs Paddock SDK ABI " +
                             std::to_string(descriptor->abi_major) + "." +
                             std::to_string(descriptor->abi_minor) + " but this host provides " +
                             std::to_string(kAbiMajor) + "." + std::to_string(kAbiMinor) +
                             "; rebuild the plugin against this Paddock SDK");
    return false;
  }
  const std::string fingerprint =
      descriptor->build_fingerprint ? descriptor->build_fingerprint : "";
  if (std::string mismatch = check_build_fingerprint(fingerprint, host_build_fingerprint());
      !mismatch.empty()) {
    record_problem(file, "plugin '" + name + "' (" + file.string() + ") is incompatible: " +
                             mismatch + "; rebuild the plugin against this Paddock SDK");
    return false;
  }
  if (name.empty() || descriptor->register_types == nullptr) {
    record_problem(file, "plugin " + file.string() + " has no name or registration function");
    return false;
  }
  for (const auto& plugin : plugins_) {
    if (plugin->name == name) {
      record_problem(file, "plugin '" + name + "' from " + file.string() +
                               " ignored: already loaded from " + plugin->file.string());
      return false;
    }
  }

  CollectingRegistrar registrar;
  try {
    descriptor->register_types(registrar);
  } catch (const std::exception& exception) {
    record_problem(file, "plugin '" + name + "' (" + file.string() +
                             ") failed while registering: " + exception.what());
    return false;
  } catch (...) {
    record_problem(file, "plugin '" + name + "' (" + file.string() +
                             ") failed while registering with an unknown exception");
    return false;
  }

  std::set<std::string> own_names;
  for (const auto& spec : registrar.node_types) {
    std::string clash;
    if (auto it = node_types_.find(spec.name); it != node_types_.end()) {
      clash = "already provided by plugin '" + it->second.plugin->name + "' (" +
              it->second.plugin->file.string() + ")";
    } else if (!own_names.insert(spec.name).second) {
      clash = "registered twice by this plugin";
    } else if (!spec.create) {
      clash = "registered without a create function";
    } else if (std::string problem = check_node_type(spec); !problem.empty()) {
      clash = "declared wrongly: " + problem;
    }
    if (!clash.empty()) {
      record_problem(file, "plugin '" + name + "' (" + file.string() + ") refused: node type '" +
                               spec.name + "' is " + clash);
      return false;
    }
  }
  for (const auto& declared : registrar.data_parallel) {
    if (own_names.count(declared) == 0) {
      record_problem(file, "plugin '" + name + "' (" + file.string() +
                               ") refused: it declares node type '" + declared +
                               "' data-parallel but registers no such node type");
      return false;
    }
  }
  if (std::string problem = check_declarations(registrar); !problem.empty()) {
    record_problem(file, "plugin '" + name + "' (" + file.string() + ") refused: " + problem);
    return false;
  }
  for (const auto& backend : registrar.backends) {
    if (backends_.count(backend.name) != 0 || backend.load == nullptr) {
      record_problem(file, "plugin '" + name + "' (" + file.string() +
                               ") refused: model backend '" + backend.name +
                               "' is already registered or has no loader");
      return false;
    }
  }

  auto plugin = std::make_unique<LoadedPlugin>();
  plugin->file = file;
  plugin->name = name;
  plugin->version = version;
  plugin->description = descriptor->description ? descriptor->description : "";
  plugin->build_fingerprint = fingerprint;
  plugin->abi_major = descriptor->abi_major;
  plugin->abi_minor = descriptor->abi_minor;
  for (auto& spec : registrar.node_types) {
    plugin->node_types.push_back(spec.name);
    std::string type_name = spec.name;
    const bool data_parallel = registrar.data_parallel.count(spec.name) != 0;
    RegisteredNodeType registered{std::move(spec), plugin.get(), data_parallel};
    for (const auto& [rule_type, rule] : registrar.rules)
      if (rule_type == type_name) registered.rules.push_back(rule);
    for (const auto& declared : registrar.port_capabilities) {
      if (declared.node_type != type_name) continue;
      auto& ports = declared.input ? registered.input_capabilities : registered.output_capabilities;
      auto& list = ports[declared.port];
      list.insert(list.end(), declared.capabilities.begin(), declared.capabilities.end());
    }
    node_types_.emplace(std::move(type_name), std::move(registered));
  }
  for (auto& backend : registrar.backends) {
    plugin->model_backends.push_back(backend.name);
    std::string backend_name = backend.name;
    backends_.emplace(std::move(backend_name), std::make_pair(std::move(backend), plugin.get()));
  }
  plugins_.push_back(std::move(plugin));
  return true;
}

const RegisteredNodeType* PluginRegistry::find_node_type(std::string_view name) const {
  auto it = node_types_.find(name);
  return it == node_types_.end() ? nullptr : &it->second;
}

const ModelBackendSpec* PluginRegistry::find_model_backend(std::string_view name) const {
  auto it = backends_.find(name);
  return it == backends_.end() ? nullptr : &it->second.first;
}

std::vector<std::string> PluginRegistry::node_type_names() const {
  std::vector<std::string> names;
  for (const auto& [name, type] : node_types_) names.push_back(name);
  return names;
}

std::filesystem::path installed_plugin_directory() {
  std::error_code error;
  const std::filesystem::path executable = boost::dll::program_location(error);
  if (error) return {};
  return executable.parent_path().parent_path() / "lib" / "paddock" / "plugins";
}

std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& explicit_directories,
    const std::vector<std::filesystem::path>& pipeline_directories) {
  std::vector<std::filesystem::path> path = explicit_directories;
  if (const char* environment = std::getenv("PADDOCK_PLUGIN_PATH")) {
    std::string_view text(environment);
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find(':', start);
      if (end == std::string_view::npos) end = text.size();
      if (end > start) path.emplace_back(std::string(text.substr(start, end - start)));
      start = end + 1;
    }
  }
  path.insert(path.end(), pipeline_directories.begin(), pipeline_directories.end());
  if (auto installed = installed_plugin_directory(); !installed.empty()) path.push_back(installed);
  return path;
}

}  // namespace paddock::core
