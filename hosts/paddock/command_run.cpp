// `paddock run`: validate, then execute a pipeline with caching and resume.
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.hpp"
#include "host_setup.hpp"
#include "paddock/core/executor.hpp"
#include "paddock/core/run_output.hpp"

namespace paddock::host {

int run_command(const std::vector<std::string>& arguments) {
  po::positional_options_description positional;
  po::options_description options = pipeline_options(positional);
  options.add_options()(
      "force", po::value<std::vector<std::string>>()->composing(),
      "re-run NODE and everything downstream of it even if up to date (repeatable)")(
      "until", po::value<std::string>(), "run only NODE and what it depends on");
  po::variables_map values;
  int exit_code = kSuccess;
  if (!parse_arguments(arguments, options, positional,
                       "Usage: paddock run PIPELINE.toml [--set NODE.PARAM=VALUE]... [--force "
                       "NODE]... [--until NODE]",
                       values, exit_code)) {
    return exit_code;
  }
  core::PluginRegistry registry;
  core::ResolvedPipeline pipeline;
  if (!load_pipeline(values, registry, pipeline)) return kInvalidPipeline;

  core::RunOptions run_options;
  if (values.count("force")) run_options.force = values["force"].as<std::vector<std::string>>();
  if (values.count("until")) run_options.until = values["until"].as<std::string>();
  for (const auto& name : run_options.force) {
    try {
      pipeline.index_of(name);
    } catch (const Error& error) {
      std::cerr << "paddock: --force: " << error.what() << "\n";
      return kUsageError;
    }
  }
  if (run_options.until) {
    try {
      pipeline.index_of(*run_options.until);
    } catch (const Error& error) {
      std::cerr << "paddock: --until: " << error.what() << "\n";
      return kUsageError;
    }
  }
  run_options.show_progress_bars = ::isatty(STDERR_FILENO) != 0;

  auto logger = core::make_logger("paddock", pipeline.pipeline.workdir / "paddock.log");
  core::install_cancellation_handlers();
  logger->info("pipeline '{}' ({} nodes), workdir {}, seed {}, device {}", pipeline.pipeline.name,
               pipeline.nodes.size(), pipeline.pipeline.workdir.string(), pipeline.pipeline.seed,
               pipeline.pipeline.device);
  try {
    const core::RunSummary summary = core::run_pipeline(pipeline, registry, run_options, logger);
    int ran = 0, cached = 0;
    double seconds = 0;
    for (const auto& outcome : summary.outcomes) {
      if (outcome.status == core::NodeOutcome::Status::ran) ++ran, seconds += outcome.seconds;
      if (outcome.status == core::NodeOutcome::Status::cached) ++cached;
    }
    logger->info("finished: {} ran ({:.1f}s), {} up to date; outputs in {}", ran, seconds, cached,
                 pipeline.pipeline.workdir.string());
    return kSuccess;
  } catch (const Cancelled&) {
    logger->warn("interrupted; run the same command again to resume");
    return kInterrupted;
  } catch (const std::exception& error) {
    logger->error("{}", error.what());
    return kNodeFailed;
  }
}

}  // namespace paddock::host
