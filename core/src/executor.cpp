// The pipeline executor: fingerprints, the decision of what to run, input loading, running
// each node behind the exception boundary, and atomic persistence of its outputs.
#include "paddock/core/executor.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

#include "paddock/core/artifact_store.hpp"
#include "paddock/core/capability_check.hpp"
#include "paddock/core/files.hpp"
#include "paddock/core/memory_reserve.hpp"
#include "paddock/core/rank_coordinator.hpp"
#include "paddock/core/run_output.hpp"
#include "paddock/seed.hpp"

namespace paddock::core {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStateFile = "state.json";
constexpr const char* kDoneFile = "done.json";
constexpr const char* kOutputsDir = "outputs";
constexpr const char* kPartialOutputsDir = "outputs.partial";
constexpr const char* kWorkDir = "work";
// Committed files up to this size have their digest checked whenever the executor decides
// whether a node is up to date; larger ones (checkpoints) only their size, since reading
// gigabytes at every start would cost more than it protects.
constexpr std::uint64_t kDigestCheckedBytes = 64ull << 20;

std::string hex64(std::uint64_t value) {
  static const char* digits = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) text[i] = digits[value & 15];
  return text;
}

bool is_ephemeral(const ResolvedNode& node) {
  for (const auto& port : node.type->spec.outputs) {
    if (!is_persistable(port.type)) return true;
  }
  return false;
}

std::string node_label(const ResolvedNode& node) {
  return "node '" + node.name + "' (plugin '" + node.type->plugin->label() + "')";
}

nlohmann::json read_json_or_null(const fs::path& file) {
  std::error_code error;
  if (!fs::exists(file, error)) return nullptr;
  try {
    return nlohmann::json::parse(read_file(file));
  } catch (const std::exception&) {
    return nullptr;  // a damaged marker counts as absent: the node runs again
  }
}

class HostNodeContext : public NodeContext {
 public:
  // `metrics` is null on ranks other than 0: only rank 0 writes the metrics stream.
  HostNodeContext(const ResolvedNode& node, const Pipeline& pipeline, fs::path work_dir,
                  std::shared_ptr<spdlog::logger> logger, MetricsStream* metrics, bool live_bars,
                  const RankEnvironment& ranks)
      : node_(node),
        pipeline_(pipeline),
        work_dir_(std::move(work_dir)),
        logger_(std::move(logger)),
        metrics_(metrics),
        live_bars_(live_bars),
        ranks_(ranks),
        seed_(derive_seed(pipeline.seed, node.name)),
        rng_(seed_) {}

  const std::string& node_name() const override { return node_.name; }
  const Params& params() const override { return node_.params; }

  bool has_input(std::string_view port) const override {
    auto it = inputs_.find(std::string(port));
    return it != inputs_.end() && !it->second.empty();
  }
  std::vector<std::shared_ptr<Artifact>> inputs(std::string_view port) const override {
    auto it = inputs_.find(std::string(port));
    return it == inputs_.end() ? std::vector<std::shared_ptr<Artifact>>{} : it->second;
  }
  void set_output(std::string_view port, std::shared_ptr<Artifact> artifact) override {
    const auto& outputs = node_.type->spec.outputs;
    auto spec = std::find_if(outputs.begin(), outputs.end(),
                             [&](const PortSpec& p) { return p.name == port; });
    if (spec == outputs.end()) {
      throw Error("set_output: node type '" + node_.type->spec.name + "' declares no output '" +
                  std::string(port) + "'");
    }
    if (!artifact || artifact->type_name() != spec->type) {
      throw Error("set_output: output '" + std::string(port) + "' must be a " + spec->type);
    }
    outputs_[std::string(port)] = std::move(artifact);
  }

  spdlog::logger& log() override { return *logger_; }
  std::uint64_t seed() const override { return seed_; }
  std::mt19937_64& rng() override { return rng_; }
  const std::string& device() const override { return pipeline_.device; }
  const fs::path& work_dir() const override { return work_dir_; }
  const fs::path& run_directory() const override { return pipeline_.workdir; }
  std::unique_ptr<Progress> progress(std::string label, std::uint64_t total) override {
    return make_progress(logger_, std::move(label), total, live_bars_);
  }
  void metric(std::int64_t step, std::string_view key, double value) override {
    if (metrics_ != nullptr) metrics_->write(node_.name, step, key, value);
  }
  // Every cancellation check is also where running out of memory becomes a node failure
  // (core/memory_reserve.hpp): a safe place to throw.
  bool cancelled() const override {
    throw_if_memory_low();
    return cancellation_requested();
  }
  int rank() const override { return ranks_.rank; }
  int world_size() const override { return ranks_.world_size; }
  int local_rank() const override { return ranks_.local_rank; }
  void mark_incomplete(std::string reason) override {
    incomplete_ = reason.empty() ? "incomplete" : std::move(reason);
  }

  std::string incomplete_;  // empty unless the node called mark_incomplete()
  std::map<std::string, std::vector<std::shared_ptr<Artifact>>> inputs_;
  std::map<std::string, std::shared_ptr<Artifact>> outputs_;

 private:
  const ResolvedNode& node_;
  const Pipeline& pipeline_;
  fs::path work_dir_;
  std::shared_ptr<spdlog::logger> logger_;
  MetricsStream* metrics_;
  bool live_bars_;
  const RankEnvironment& ranks_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
};

class Executor {
 public:
  Executor(const ResolvedPipeline& pipeline, const PluginRegistry& registry,
           const RunOptions& options, std::shared_ptr<spdlog::logger> logger)
      : pipeline_(pipeline),
        registry_(registry),
        options_(options),
        logger_(std::move(logger)),
        workdir_(pipeline.pipeline.workdir),
        fingerprints_(compute_fingerprints(pipeline)) {
    if (options_.ranks.rank == 0)
      metrics_ = std::make_unique<MetricsStream>(workdir_ / "metrics.jsonl");
  }

  RunSummary run() {
    const std::vector<bool> to_run = decide_what_runs();
    if (options_.ranks.distributed()) {
      // Every rank must run the same graph with the same plan; rank 0 refuses one that differs.
      coordinator_ = RankCoordinator::join(options_.ranks, plan_identity(to_run));
      logger_->info("rank {} of {}: every rank joined the run", options_.ranks.rank,
                    options_.ranks.world_size);
    }
    runs_here_ = decide_what_runs_here(to_run);
    count_consumers(runs_here_);
    RunSummary summary;
    for (std::size_t i = 0; i < pipeline_.nodes.size(); ++i) {
      const ResolvedNode& node = pipeline_.nodes[i];
      if (!selected_[i]) {
        summary.outcomes.push_back({node.name, NodeOutcome::Status::skipped, 0});
        continue;
      }
      if (!to_run[i]) {
        const bool ephemeral = is_ephemeral(node);
        if (!ephemeral) logger_->info("{}: up to date", node.name);
        summary.outcomes.push_back(
            {node.name, ephemeral ? NodeOutcome::Status::skipped : NodeOutcome::Status::cached, 0});
        continue;
      }
      try {
        summary.outcomes.push_back(run_on_ranks(i));
      } catch (const std::exception& error) {
        // The other ranks stop at their next barrier with this message instead of waiting.
        if (coordinator_) coordinator_->report_failure(error.what());
        throw;
      }
    }
    return summary;
  }

 private:
  bool on_rank_zero() const { return options_.ranks.rank == 0; }

  // Runs node i where it runs, with the barriers of a distributed run around it.
  NodeOutcome run_on_ranks(std::size_t i) {
    const ResolvedNode& node = pipeline_.nodes[i];
    const bool ephemeral = is_ephemeral(node);
    const bool distributed = options_.ranks.distributed();
    if (cancellation_requested()) throw Cancelled();
    const auto start = std::chrono::steady_clock::now();
    if (distributed && !ephemeral && node.type->data_parallel) {
      // Rank 0 prepares the node's directory (which may wipe work/) before any rank reads it.
      if (on_rank_zero()) prepare_node_dir(i);
      coordinator_->barrier("start " + node.name);
    } else if (!ephemeral && on_rank_zero()) {
      prepare_node_dir(i);
    }
    std::string incomplete;
    if (runs_here_[i]) {
      incomplete = run_node(i);
    } else if (!ephemeral) {
      logger_->info("{}: rank 0 runs it; waiting", node.name);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!ephemeral && on_rank_zero()) mark_complete(i, seconds, incomplete);
    // The other ranks read rank 0's outputs from disk once it has written them.
    if (distributed && !ephemeral) coordinator_->barrier("done " + node.name);
    if (runs_here_[i]) {
      if (incomplete.empty()) {
        logger_->info("{}: done in {:.2f}s", node.name, seconds);
      } else {
        logger_->warn(
            "{}: INCOMPLETE after {:.2f}s: {}; its outputs are used by this run, and "
            "the next run runs it again",
            node.name, seconds, incomplete);
      }
      release_inputs(i);
    }
    return {node.name, runs_here_[i] ? NodeOutcome::Status::ran : NodeOutcome::Status::cached,
            seconds, incomplete};
  }

  // Which of the nodes that run this process runs itself: all of them on rank 0; on the
  // other ranks the data-parallel ones, and the ephemeral nodes (annotators) they consume.
  std::vector<bool> decide_what_runs_here(const std::vector<bool>& to_run) const {
    if (on_rank_zero()) return to_run;
    const std::size_t count = pipeline_.nodes.size();
    std::vector<bool> here(count, false);
    for (std::size_t i = 0; i < count; ++i)
      here[i] =
          to_run[i] && !is_ephemeral(pipeline_.nodes[i]) && pipeline_.nodes[i].type->data_parallel;
    for (std::size_t i = count; i-- > 0;) {
      if (!here[i]) continue;
      for (const auto& [port, refs] : pipeline_.nodes[i].inputs)
        for (const auto& ref : refs)
          if (to_run[ref.producer] && is_ephemeral(pipeline_.nodes[ref.producer]))
            here[ref.producer] = true;
    }
    return here;
  }

  // A digest of every fingerprint and of what runs, which all ranks must share.
  std::string plan_identity(const std::vector<bool>& to_run) const {
    std::string text;
    for (std::size_t i = 0; i < pipeline_.nodes.size(); ++i)
      text += pipeline_.nodes[i].name + "=" + fingerprints_[i] + (to_run[i] ? "+" : "-") + ";";
    return hex64(fnv1a_64(text));
  }

  fs::path node_dir(std::size_t i) const { return workdir_ / pipeline_.nodes[i].name; }

  // An `incomplete` marker (NodeContext::mark_incomplete) makes the node run again, and so
  // does a committed file that is missing or differs from what done.json recorded.
  bool is_complete(std::size_t i) const {
    const nlohmann::json done = read_json_or_null(node_dir(i) / kDoneFile);
    if (!done.is_object() || done.value("fingerprint", "") != fingerprints_[i] ||
        done.contains("incomplete")) {
      return false;
    }
    if (const std::string damage = committed_file_damage(i, done); !damage.empty()) {
      logger_->warn("{}: {}; running it again", pipeline_.nodes[i].name, damage);
      return false;
    }
    return true;
  }

  // What is wrong with the files done.json lists (a done.json written before it listed
  // them is trusted), or "" when nothing is.
  std::string committed_file_damage(std::size_t i, const nlohmann::json& done) const {
    const auto files = done.find("files");
    if (files == done.end() || !files->is_object()) return "";
    const fs::path outputs = node_dir(i) / kOutputsDir;
    for (const auto& [name, recorded] : files->items()) {
      const fs::path file = outputs / name;
      if (!recorded.is_object()) return "its done.json is damaged";
      std::error_code error;
      const std::uintmax_t bytes = fs::file_size(file, error);
      const std::uint64_t expected = recorded.value("bytes", std::uint64_t{0});
      if (error) return "its output file " + file.string() + " is missing";
      if (bytes != expected) {
        return "its output file " + file.string() + " has " + std::to_string(bytes) +
               " bytes, but " + std::to_string(expected) + " were committed";
      }
      if (bytes > kDigestCheckedBytes) continue;
      try {
        if (summarize_file(file).digest != recorded.value("fnv1a64", "")) {
          return "its output file " + file.string() + " differs from the one committed";
        }
      } catch (const std::exception& failure) {
        return failure.what();
      }
    }
    return "";
  }

  std::vector<bool> decide_what_runs() {
    const std::size_t count = pipeline_.nodes.size();
    selected_.assign(count, true);
    if (options_.until) {
      selected_.assign(count, false);
      const std::size_t target = pipeline_.index_of(*options_.until);
      selected_[target] = true;
      for (std::size_t i = count; i-- > 0;) {  // producers come before consumers
        if (!selected_[i]) continue;
        for (const auto& [port, refs] : pipeline_.nodes[i].inputs) {
          for (const auto& ref : refs) selected_[ref.producer] = true;
        }
      }
    }
    fresh_start_.assign(count, false);
    std::vector<bool> forced(count, false);
    for (const std::string& name : options_.force) forced[pipeline_.index_of(name)] = true;
    // A node runs when forced, when not complete, or when a producer runs (its outputs may
    // differ from the ones this node last saw).
    std::vector<bool> to_run(count, false);
    for (std::size_t i = 0; i < count; ++i) {
      if (!selected_[i] || is_ephemeral(pipeline_.nodes[i])) continue;
      bool producer_runs = false;
      for (const auto& [port, refs] : pipeline_.nodes[i].inputs) {
        for (const auto& ref : refs) producer_runs = producer_runs || to_run[ref.producer];
      }
      to_run[i] = forced[i] || producer_runs || !is_complete(i);
      fresh_start_[i] = forced[i] || producer_runs;
    }
    // An ephemeral node (one making an Annotator) runs when a consumer runs, or when nothing
    // selected consumes it.
    for (std::size_t i = count; i-- > 0;) {
      if (!selected_[i] || !is_ephemeral(pipeline_.nodes[i])) continue;
      bool consumed = false, consumer_runs = false;
      for (std::size_t j = i + 1; j < count; ++j) {
        if (!selected_[j]) continue;
        for (const auto& [port, refs] : pipeline_.nodes[j].inputs) {
          for (const auto& ref : refs) {
            if (ref.producer != i) continue;
            consumed = true;
            consumer_runs = consumer_runs || to_run[j];
          }
        }
      }
      to_run[i] = consumer_runs || !consumed;
    }
    return to_run;
  }

  void count_consumers(const std::vector<bool>& to_run) {
    for (std::size_t i = 0; i < pipeline_.nodes.size(); ++i) {
      if (!to_run[i]) continue;
      for (const auto& [port, refs] : pipeline_.nodes[i].inputs) {
        for (const auto& ref : refs) ++pending_consumers_[{ref.producer, ref.port}];
      }
    }
  }

  std::shared_ptr<Artifact> fetch_input(const PortReference& ref) {
    auto key = std::make_pair(ref.producer, ref.port);
    if (auto it = artifacts_.find(key); it != artifacts_.end()) return it->second;
    const ResolvedNode& producer = pipeline_.nodes[ref.producer];
    const auto& outputs = producer.type->spec.outputs;
    const PortSpec& port = *std::find_if(outputs.begin(), outputs.end(),
                                         [&](const PortSpec& p) { return p.name == ref.port; });
    try {
      auto artifact = load_artifact(port.type, node_dir(ref.producer) / kOutputsDir / ref.port,
                                    registry_, pipeline_.pipeline.device);
      artifacts_[key] = artifact;
      return artifact;
    } catch (const std::exception& error) {
      throw NodeFailure("cannot load output '" + ref.port + "' of " + node_label(producer) + ": " +
                        error.what() + " (re-run with --force " + producer.name + ")");
    }
  }

  // A Model from an output that promised nothing is checked here, before the node runs
  // (a promised one was checked when the pipeline was validated).
  void check_required_capabilities(const ResolvedNode& node, const std::string& port,
                                   const PortReference& ref, const Artifact& artifact) const {
    auto required = node.type->input_capabilities.find(port);
    if (required == node.type->input_capabilities.end()) return;
    if (std::string missing = missing_capabilities(artifact, required->second); !missing.empty()) {
      throw NodeFailure(node_label(node) + ": input '" + port + "' needs a Model with " + missing +
                        ", but the one from '" + pipeline_.nodes[ref.producer].name + "." +
                        ref.port + "' has " + listed_capabilities(artifact));
    }
  }

  void prepare_node_dir(std::size_t i) {
    const fs::path directory = node_dir(i);
    const nlohmann::json state = read_json_or_null(directory / kStateFile);
    resumes_[i] = !(fresh_start_[i] || !state.is_object() ||
                    state.value("fingerprint", "") != fingerprints_[i]);
    if (!resumes_[i]) {
      // Only an interrupted run of the very same node with the same inputs is resumed.
      fs::remove_all(directory);
    }
    fs::remove(directory / kDoneFile);
    fs::create_directories(directory / kWorkDir);
    write_file_atomically(directory / kStateFile,
                          nlohmann::json{{"fingerprint", fingerprints_[i]}}.dump(2) + "\n");
  }

  // Runs node i; returns its mark_incomplete() reason, empty when it is complete.
  std::string run_node(std::size_t i) {
    const ResolvedNode& node = pipeline_.nodes[i];
    const bool ephemeral = is_ephemeral(node);
    const fs::path work_dir = ephemeral ? workdir_ / node.name / kWorkDir : node_dir(i) / kWorkDir;
    fs::create_directories(work_dir);

    HostNodeContext context(node, pipeline_.pipeline, work_dir, child_logger(*logger_, node.name),
                            metrics_.get(), options_.show_progress_bars, options_.ranks);
    for (const auto& [port, refs] : node.inputs) {
      for (const auto& ref : refs) {
        context.inputs_[port].push_back(fetch_input(ref));
        check_required_capabilities(node, port, ref, *context.inputs_[port].back());
      }
    }
    logger_->info("{}: running {}", node.name, node.type->spec.name);
    if (metrics_) metrics_->mark_start(node.name, /*fresh=*/!resumes_[i]);
    try {
      std::unique_ptr<Node> instance = node.type->spec.create();
      instance->run(context);
      // A node that ran short of memory without a cancellation check since: its outputs may
      // be what was built from the reserve; fail it rather than persist them.
      throw_if_memory_low();
    } catch (const Cancelled&) {
      throw;
    } catch (const std::bad_alloc&) {
      throw NodeFailure(node_label(node) +
                        " ran out of memory (std::bad_alloc); give it smaller inputs or "
                        "parameters (such as a smaller world or batch), or more memory");
    } catch (const std::exception& error) {
      throw NodeFailure(node_label(node) + " failed: " + error.what());
    } catch (...) {
      throw NodeFailure(node_label(node) + " failed with an unknown exception");
    }
    for (const PortSpec& port : node.type->spec.outputs) {
      if (context.outputs_.count(port.name) == 0) {
        throw NodeFailure(node_label(node) + " finished without setting its output '" + port.name +
                          "'");
      }
    }
    for (const auto& [port, promised] : node.type->output_capabilities) {
      const auto& artifact = context.outputs_.at(port);
      if (std::string missing = missing_capabilities(*artifact, promised); !missing.empty())
        throw NodeFailure(node_label(node) + " broke its promise: its output '" + port +
                          "' is a Model without " + missing + " (it has " +
                          listed_capabilities(*artifact) + ")");
    }
    // Consumers on other ranks load rank 0's outputs.
    if (!ephemeral && !on_rank_zero()) return context.incomplete_;
    if (!ephemeral) persist_outputs(i, context.outputs_);
    for (auto& [port, artifact] : context.outputs_) {
      if (pending_consumers_.count({i, port}) != 0) artifacts_[{i, port}] = artifact;
    }
    return context.incomplete_;
  }

  void persist_outputs(std::size_t i,
                       const std::map<std::string, std::shared_ptr<Artifact>>& outputs) {
    const fs::path partial = node_dir(i) / kPartialOutputsDir;
    const fs::path final_dir = node_dir(i) / kOutputsDir;
    fs::remove_all(partial);
    try {
      for (const auto& [port, artifact] : outputs) save_artifact(*artifact, partial / port);
    } catch (const std::exception& error) {
      throw NodeFailure("cannot save the outputs of " + node_label(pipeline_.nodes[i]) + ": " +
                        error.what());
    }
    // What done.json will vouch for: every file's size and digest, taken before the rename.
    nlohmann::json files = nlohmann::json::object();
    for (auto it = fs::recursive_directory_iterator(partial); it != fs::end(it); ++it) {
      if (!it->is_regular_file()) continue;
      const FileSummary summary = summarize_file(it->path());
      files[fs::relative(it->path(), partial).generic_string()] = {{"bytes", summary.bytes},
                                                                   {"fnv1a64", summary.digest}};
    }
    fs::remove_all(final_dir);
    fs::rename(partial, final_dir);
    sync_directory(node_dir(i));
    committed_files_[i] = std::move(files);
  }

  void mark_complete(std::size_t i, double seconds, const std::string& incomplete) {
    const ResolvedNode& node = pipeline_.nodes[i];
    nlohmann::json done = {{"fingerprint", fingerprints_[i]},
                           {"node_type", node.type->spec.name},
                           {"plugin", node.type->plugin->name},
                           {"plugin_version", node.type->plugin->version},
                           {"seconds", seconds}};
    if (!incomplete.empty()) done["incomplete"] = incomplete;
    if (auto files = committed_files_.find(i); files != committed_files_.end()) {
      done["files"] = std::move(files->second);
      committed_files_.erase(files);
    }
    write_file_atomically(node_dir(i) / kDoneFile, done.dump(2) + "\n");
  }

  void release_inputs(std::size_t i) {
    for (const auto& [port, refs] : pipeline_.nodes[i].inputs) {
      for (const auto& ref : refs) {
        auto key = std::make_pair(ref.producer, ref.port);
        if (--pending_consumers_[key] == 0) artifacts_.erase(key);
      }
    }
  }

  const ResolvedPipeline& pipeline_;
  const PluginRegistry& registry_;
  const RunOptions& options_;
  std::shared_ptr<spdlog::logger> logger_;
  fs::path workdir_;
  std::vector<std::string> fingerprints_;
  std::unique_ptr<MetricsStream> metrics_;  // rank 0 only
  std::unique_ptr<RankCoordinator> coordinator_;
  std::vector<bool> runs_here_;
  std::vector<bool> selected_;
  std::vector<bool> fresh_start_;  // re-runs that must not resume old work
  std::map<std::pair<std::size_t, std::string>, std::shared_ptr<Artifact>> artifacts_;
  std::map<std::pair<std::size_t, std::string>, int> pending_consumers_;
  std::map<std::size_t, nlohmann::json> committed_files_;  // persisted, not yet marked done
  std::map<std::size_t, bool> resumes_;  // nodes whose kept work directory they resume
};

// What a path parameter names, as far as caching cares: sizes and modification times of the
// file or of every file under the directory (content is not hashed: checkpoints are large).
nlohmann::json path_state(const std::string& text) {
  std::error_code error;
  const fs::path path(text);
  auto file_state = [](const fs::path& file) {
    std::error_code e;
    const auto time = fs::last_write_time(file, e).time_since_epoch().count();
    return nlohmann::json::array({static_cast<std::uint64_t>(fs::file_size(file, e)), time});
  };
  if (fs::is_regular_file(path, error)) return file_state(path);
  if (!fs::is_directory(path, error)) return "missing";
  nlohmann::json state = nlohmann::json::object();
  for (auto it = fs::recursive_directory_iterator(path, error); !error && it != fs::end(it);
       it.increment(error)) {
    if (it->is_regular_file(error))
      state[fs::relative(it->path(), path).string()] = file_state(it->path());
  }
  return state;
}

}  // namespace

std::vector<std::string> compute_fingerprints(const ResolvedPipeline& pipeline) {
  std::vector<std::string> fingerprints;
  for (const ResolvedNode& node : pipeline.nodes) {
    nlohmann::json inputs = nlohmann::json::object();
    for (const auto& [port, refs] : node.inputs) {
      for (const auto& ref : refs)
        inputs[port].push_back(fingerprints[ref.producer] + ":" + ref.port);
    }
    nlohmann::json paths = nlohmann::json::object();
    for (const ParamSpec& param : node.type->spec.params) {
      if (param.type == ParamType::path && node.params.has(param.name)) {
        paths[param.name] = path_state(node.params.string(param.name));
      }
    }
    const nlohmann::json identity = {
        {"node_type", node.type->spec.name}, {"paths", paths},
        {"plugin", node.type->plugin->name}, {"plugin_version", node.type->plugin->version},
        {"params", node.params.all()},       {"inputs", inputs},
        {"seed", pipeline.pipeline.seed}};
    const std::string canonical = identity.dump();  // nlohmann::json sorts object keys
    // Two 64-bit FNV-1a hashes from different starting states, so a collision needs both.
    fingerprints.push_back(hex64(fnv1a_64(canonical)) +
                           hex64(fnv1a_64("paddock fingerprint\n" + canonical)));
  }
  return fingerprints;
}

RunSummary run_pipeline(const ResolvedPipeline& pipeline, const PluginRegistry& registry,
                        const RunOptions& options, std::shared_ptr<spdlog::logger> logger) {
  fs::create_directories(pipeline.pipeline.workdir);
  for (const std::string& name : options.force) pipeline.index_of(name);
  if (options.until) pipeline.index_of(*options.until);
  return Executor(pipeline, registry, options, std::move(logger)).run();
}

}  // namespace paddock::core
