// Runs a resolved pipeline: topological order, outputs persisted under workdir/NODE/ with a
// fingerprint, up-to-date nodes skipped, interrupted runs resumed at the first incomplete
// node. A node's outputs count as complete only once its manifest is written, last.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "paddock/core/graph.hpp"
#include "paddock/core/rank_environment.hpp"

namespace spdlog {
class logger;
}

namespace paddock::core {

struct RunOptions {
  std::vector<std::string> force;    // re-run these nodes and their descendants
  std::optional<std::string> until;  // run only this node and its ancestors
  bool show_progress_bars = false;   // a live bar (terminal) instead of plain lines
  // This process's rank. With several ranks the executor meets the others through the run
  // coordinator: data-parallel nodes run on every rank, other nodes on rank 0 alone, and
  // only rank 0 writes outputs, markers and metrics (docs/distributed.md).
  RankEnvironment ranks;
};

struct NodeOutcome {
  std::string node;
  enum class Status { ran, cached, skipped } status = Status::skipped;
  double seconds = 0;
  // Set when the node ran but called NodeContext::mark_incomplete(): why it runs again.
  std::string incomplete;
};

struct RunSummary {
  std::vector<NodeOutcome> outcomes;
};

// The fingerprint of every node, in the pipeline's order: a hash of (node type, plugin name
// and version, parameters, input fingerprints, pipeline seed).
std::vector<std::string> compute_fingerprints(const ResolvedPipeline& pipeline);

// Runs the pipeline. Throws NodeFailure when a node fails, Cancelled when interrupted.
RunSummary run_pipeline(const ResolvedPipeline& pipeline, const PluginRegistry& registry,
                        const RunOptions& options, std::shared_ptr<spdlog::logger> logger);

class NodeFailure : public Error {
 public:
  using Error::Error;
};

// Installs SIGINT/SIGTERM handlers that request cancellation; a second signal exits at once.
void install_cancellation_handlers();
bool cancellation_requested();
void request_cancellation();  // for tests
void reset_cancellation();    // for tests

}  // namespace paddock::core
