// Shared option parsing, plugin loading and pipeline loading for the subcommands.
#include "host_setup.hpp"

#include <cstdlib>
#include <iostream>

#include "paddock/core/compute_environment.hpp"
#include "paddock/core/diagnostic.hpp"
#include "paddock/core/freed_memory_reuse.hpp"
#include "paddock/core/pipeline.hpp"

namespace paddock::host {

po::options_description common_options() {
  po::options_description options("Common options");
  options.add_options()("help,h", "show this help")(
      "plugin-path,P", po::value<std::vector<std::string>>()->composing(),
      "a directory to search for plugins first (repeatable); then PADDOCK_PLUGIN_PATH, the "
      "pipeline's [plugins] paths and the install's plugin folder");
  return options;
}

po::options_description pipeline_options(po::positional_options_description& positional) {
  po::options_description options = common_options();
  options.add_options()("pipeline", po::value<std::string>()->required(), "the pipeline file")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a setting: NODE.PARAM=VALUE or pipeline.KEY=VALUE (repeatable)");
  positional.add("pipeline", 1);
  return options;
}

bool parse_arguments(const std::vector<std::string>& arguments,
                     const po::options_description& options,
                     const po::positional_options_description& positional, const std::string& usage,
                     po::variables_map& values, int& exit_code) {
  try {
    po::store(po::command_line_parser(arguments).options(options).positional(positional).run(),
              values);
    if (values.count("help")) {
      std::cout << usage << "\n\n" << options << "\n";
      exit_code = kSuccess;
      return false;
    }
    po::notify(values);
    return true;
  } catch (const po::error& error) {
    std::cerr << "paddock: " << error.what() << "\n" << usage << "\n";
    exit_code = kUsageError;
    return false;
  }
}

void log_compute_environment(spdlog::logger& log) {
  const core::BlasDescription blas = core::loaded_blas();
  log.info("compute: {}", core::describe_compute(blas, core::torch_thread_choice()));
  log.info("memory: {}", core::keep_freed_memory_for_reuse().description);
  if (!blas.found) return;
  const bool chosen = std::getenv("OPENBLAS_CORETYPE") != nullptr;
  if (const auto warning =
          core::blas_kernel_warning(blas.kernel, core::cpu_vector_features(), chosen))
    log.warn("{}", *warning);
  if (const auto note =
          core::chosen_blas_kernel_note(blas.kernel, core::cpu_vector_features(), chosen))
    log.info("{}", *note);
}

void load_plugins(core::PluginRegistry& registry, const po::variables_map& values,
                  const std::vector<std::filesystem::path>& pipeline_directories) {
  std::vector<std::filesystem::path> explicit_directories;
  if (values.count("plugin-path")) {
    for (const auto& directory : values["plugin-path"].as<std::vector<std::string>>()) {
      explicit_directories.emplace_back(directory);
    }
  }
  registry.load_directories(core::plugin_search_path(explicit_directories, pipeline_directories));
  for (const auto& problem : registry.problems()) {
    std::cerr << "paddock: warning: " << problem.message << "\n";
  }
}

bool load_pipeline(const po::variables_map& values, core::PluginRegistry& registry,
                   core::ResolvedPipeline& pipeline) {
  std::vector<core::SettingOverride> overrides;
  if (values.count("set")) {
    for (const auto& text : values["set"].as<std::vector<std::string>>())
      overrides.push_back({text});
  }
  try {
    core::Pipeline parsed =
        core::parse_pipeline_file(values["pipeline"].as<std::string>(), overrides);
    load_plugins(registry, values, parsed.plugin_directories);
    pipeline = core::resolve_pipeline(std::move(parsed), registry);
    return true;
  } catch (const core::PipelineError& error) {
    std::cerr << error.what() << "\n";
    std::cerr << "paddock: the pipeline is invalid (" << error.diagnostics().size()
              << (error.diagnostics().size() == 1 ? " problem)" : " problems)") << "\n";
    return false;
  }
}

}  // namespace paddock::host
