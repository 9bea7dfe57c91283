// `paddock run`: validate, then execute a pipeline with caching and resume.
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <iostream>
#include <optional>

#include "blas_setup.hpp"
#include "commands.hpp"
#include "host_setup.hpp"
#include "paddock/core/executor.hpp"
#include "paddock/core/rank_environment.hpp"
#include "paddock/core/run_output.hpp"
#include "paddock/core/workdir_lock.hpp"
#include "worker_launcher.hpp"

namespace paddock::host {

int run_command(const std::vector<std::string>& arguments) {
  po::positional_options_description positional;
  po::options_description options = pipeline_options(positional);
  options.add_options()(
      "force", po::value<std::vector<std::string>>()->composing(),
      "re-run NODE and everything downstream of it even if up to date (repeatable)")(
      "until", po::value<std::string>(), "run only NODE and what it depends on")(
      "nproc", po::value<int>()->default_value(1),
      "run as N processes (ranks) on this machine; data-parallel nodes share their work, the "
      "others run on rank 0 (see docs/distributed.md)");
  po::variables_map values;
  int exit_code = kSuccess;
  if (!parse_arguments(arguments, options, positional,
                       "Usage: paddock run PIPELINE.toml [--set NODE.PARAM=VALUE]... [--force "
                       "NODE]... [--until NODE] [--nproc N]",
                       values, exit_code)) {
    return exit_code;
  }
  const int processes = values["nproc"].as<int>();
  if (processes < 1 || processes > 1024) {
    std::cerr << "paddock: --nproc must be from 1 to 1024, not " << processes << "\n";
    return kUsageError;
  }
  core::RankEnvironment ranks;
  try {
    ranks = core::read_rank_environment();
  } catch (const Error& error) {
    std::cerr << "paddock: " << error.what() << "\n";
    return kUsageError;
  }
  if (processes > 1 && ranks.distributed()) {
    std::cerr << "paddock: --nproc starts its own ranks, but WORLD_SIZE=" << ranks.world_size
              << " is set; use one or the other\n";
    return kUsageError;
  }
  // Before any plugin loads OpenBLAS (the ranks of --nproc inherit the choice).
  const core::KernelChoice blas_choice = choose_blas_before_loading();
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
  if (processes > 1) return launch_local_ranks(processes, without_nproc(arguments));
  run_options.ranks = ranks;
  run_options.show_progress_bars = ::isatty(STDERR_FILENO) != 0 && ranks.rank == 0;

  // Rank 0 writes the workdir, so it alone holds the lock that refuses a second run there.
  std::optional<core::WorkdirLock> lock;
  if (ranks.rank == 0) {
    try {
      lock.emplace(pipeline.pipeline.workdir);
    } catch (const Error& error) {
      std::cerr << "paddock: " << error.what() << "\n";
      return kNodeFailed;
    }
  }

  // Only rank 0 writes paddock.log; the other ranks print their warnings and errors.
  auto logger = ranks.rank == 0
                    ? core::make_logger("paddock", pipeline.pipeline.workdir / "paddock.log")
                    : core::make_logger("rank " + std::to_string(ranks.rank), {});
  if (ranks.rank != 0) logger->set_level(spdlog::level::warn);
  core::install_cancellation_handlers();
  logger->info("pipeline '{}' ({} nodes), workdir {}, seed {}, device {}", pipeline.pipeline.name,
               pipeline.nodes.size(), pipeline.pipeline.workdir.string(), pipeline.pipeline.seed,
               pipeline.pipeline.device);
  log_blas_choice(blas_choice, *logger);
  log_compute_environment(*logger);
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
    for (const auto& outcome : summary.outcomes) {
      if (outcome.incomplete.empty()) continue;
      logger->warn("node '{}' is INCOMPLETE ({}); run the same command again to complete it",
                   outcome.node, outcome.incomplete);
    }
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
