// `paddock validate`: parse and check a pipeline without running anything.
#include <iostream>

#include "commands.hpp"
#include "host_setup.hpp"

namespace paddock::host {

int validate_command(const std::vector<std::string>& arguments) {
  po::positional_options_description positional;
  const po::options_description options = pipeline_options(positional);
  po::variables_map values;
  int exit_code = kSuccess;
  if (!parse_arguments(arguments, options, positional,
                       "Usage: paddock validate PIPELINE.toml [--set NODE.PARAM=VALUE]...", values,
                       exit_code)) {
    return exit_code;
  }
  core::PluginRegistry registry;
  core::ResolvedPipeline pipeline;
  if (!load_pipeline(values, registry, pipeline)) return kInvalidPipeline;
  std::cout << values["pipeline"].as<std::string>() << ": valid, " << pipeline.nodes.size()
            << " nodes in order:";
  for (const auto& node : pipeline.nodes) std::cout << " " << node.name;
  std::cout << "\n";
  return kSuccess;
}

}  // namespace paddock::host
