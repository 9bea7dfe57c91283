// `paddock graph`: the pipeline as Graphviz DOT on standard output.
#include <iostream>

#include "commands.hpp"
#include "host_setup.hpp"

namespace paddock::host {

int graph_command(const std::vector<std::string>& arguments) {
  po::positional_options_description positional;
  const po::options_description options = pipeline_options(positional);
  po::variables_map values;
  int exit_code = kSuccess;
  if (!parse_arguments(arguments, options, positional,
                       "Usage: paddock graph PIPELINE.toml  (pipe into `dot -Tsvg`)", values,
                       exit_code)) {
    return exit_code;
  }
  core::PluginRegistry registry;
  core::ResolvedPipeline pipeline;
  if (!load_pipeline(values, registry, pipeline)) return kInvalidPipeline;
  std::cout << core::to_dot(pipeline);
  return kSuccess;
}

}  // namespace paddock::host
