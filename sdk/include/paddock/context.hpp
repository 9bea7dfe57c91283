// What a running node gets from the host: its parameters and inputs, a place for its
// outputs, the host's logger, a seed and RNG derived from (pipeline seed, node name), the
// device, its own work directory, progress, metrics and cancellation.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>

#include "paddock/artifact.hpp"
#include "paddock/error.hpp"
#include "paddock/params.hpp"
#include "paddock/progress.hpp"

namespace paddock {

class PADDOCK_API NodeContext {
 public:
  virtual ~NodeContext();

  virtual const std::string& node_name() const = 0;
  virtual const Params& params() const = 0;

  // Inputs by port name. A port declared `multiple` holds a list; others hold at most one.
  virtual bool has_input(std::string_view port) const = 0;
  virtual std::vector<std::shared_ptr<Artifact>> inputs(std::string_view port) const = 0;
  virtual void set_output(std::string_view port, std::shared_ptr<Artifact> artifact) = 0;

  virtual spdlog::logger& log() = 0;
  // derive_seed(pipeline seed, node name); see paddock/seed.hpp.
  virtual std::uint64_t seed() const = 0;
  // A generator seeded with seed(). std::mt19937_64's sequence is fixed by the C++ standard;
  // the standard library's distributions are not, so draw through paddock/random.hpp.
  virtual std::mt19937_64& rng() = 0;
  // "cpu", "cuda", "cuda:N" or "auto" (the backend picks CUDA when present).
  virtual const std::string& device() const = 0;
  // A directory owned by this node for checkpoints and scratch files. It survives a kill,
  // so a learner can resume; it is wiped when the node's fingerprint changes or the node
  // re-runs for another reason (--force, an upstream node re-ran). Nodes that make
  // Annotators keep it always: their caches are keyed by content, not by parameters.
  virtual const std::filesystem::path& work_dir() const = 0;
  // The pipeline's workdir (holding every node's directory, paddock.log and metrics.jsonl),
  // for nodes that read the run as a whole, such as a report.
  virtual const std::filesystem::path& run_directory() const = 0;

  virtual std::unique_ptr<Progress> progress(std::string label, std::uint64_t total) = 0;
  // Appends {node, step, key, value} to the run's metrics stream.
  virtual void metric(std::int64_t step, std::string_view key, double value) = 0;
  virtual bool cancelled() const = 0;

  // Since ABI 1.1. This process's place among the processes that run one pipeline together
  // (`paddock run --nproc N`, or the torchrun variables RANK, WORLD_SIZE, LOCAL_RANK): rank
  // 0 of 1 in a plain run. A data-parallel node (Registrar::declare_data_parallel) runs on
  // every rank and shares its work among them; any other node runs on rank 0 alone. Only
  // rank 0's outputs, metrics and files in work_dir() count. See docs/distributed.md.
  virtual int rank() const;
  virtual int world_size() const;
  virtual int local_rank() const;  // the rank among the processes on this machine

  // Since ABI 1.2. The node finished and set its outputs, but they lack something a later
  // run could still add (an annotator got no answer for some pairs, a budget stopped it):
  // the outputs are kept and consumed by this run, and `reason` is logged as a warning, but
  // the node does not count as complete, so the next `paddock run` runs it again (and its
  // consumers after it). Calling it again replaces the reason.
  virtual void mark_incomplete(std::string reason);

  void throw_if_cancelled() const {
    if (cancelled()) throw Cancelled();
  }

  // The single input on `port`, cast to T; throws when missing or of another type.
  template <class T>
  std::shared_ptr<T> input(std::string_view port) const {
    auto all = inputs(port);
    if (all.empty())
      throw Error("node '" + node_name() + "': input '" + std::string(port) + "' is not connected");
    auto typed = std::dynamic_pointer_cast<T>(all.front());
    if (!typed)
      throw Error("node '" + node_name() + "': input '" + std::string(port) +
                  "' has the wrong artifact type");
    return typed;
  }
};

}  // namespace paddock
