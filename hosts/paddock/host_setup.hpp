// What every `paddock` subcommand shares: exit codes, option parsing, and loading plugins
// and pipelines with their errors reported the same way.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <boost/program_options.hpp>

#include "paddock/core/graph.hpp"
#include "paddock/core/plugin_registry.hpp"

namespace paddock::host {

// Documented in docs/cli.md.
enum ExitCode : int {
  kSuccess = 0,
  kNodeFailed = 1,
  kUsageError = 2,
  kInvalidPipeline = 3,
  kInterrupted = 130,
};

namespace po = boost::program_options;

// Options every subcommand takes: --help and --plugin-path.
po::options_description common_options();

// The common options plus the pipeline file (positional) and --set, which every command
// that reads a pipeline takes; `positional` is filled to match.
po::options_description pipeline_options(po::positional_options_description& positional);

// Parses `arguments` with `options` and the positional names; prints usage and returns
// false on --help (with `exit_code` 0) or on an error (with `exit_code` 2).
bool parse_arguments(const std::vector<std::string>& arguments,
                     const po::options_description& options,
                     const po::positional_options_description& positional, const std::string& usage,
                     po::variables_map& values, int& exit_code);

// Loads the plugins on the search path, printing any that were refused as warnings.
void load_plugins(core::PluginRegistry& registry, const po::variables_map& values,
                  const std::vector<std::filesystem::path>& pipeline_directories);

// Logs what the numbers are computed with (the BLAS LibTorch's plugins loaded and its kernel,
// the LibTorch threads), and a warning with the fix when OpenBLAS fell back to generic
// kernels on a CPU with faster ones. Call after the plugins are loaded.
void log_compute_environment(spdlog::logger& log);

// Parses and validates a pipeline, loading plugins on the way. Prints every diagnostic and
// returns false when the pipeline is invalid.
bool load_pipeline(const po::variables_map& values, core::PluginRegistry& registry,
                   core::ResolvedPipeline& pipeline);

}  // namespace paddock::host
