// A NodeContext for running one node without a pipeline: parameters (the test's, resolved
// as the host resolves a pipeline's: checked, defaults filled, rules run; or given whole),
// inputs pushed in by the test, outputs,
// metrics and log text kept for inspection, and a cancellation flag the test can raise.
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/context.hpp"
#include "paddock/core/param_resolution.hpp"
#include "paddock/node.hpp"
#include "paddock/node_declaration.hpp"
#include "paddock/seed.hpp"

namespace paddock::testing {

class NullProgress : public Progress {
 public:
  void advance(std::uint64_t) override {}
  void add_tokens(std::uint64_t) override {}
  void set_status(std::string) override {}
  void finish() override {}
};

// A logger writing into a string stream.
struct CapturedLog {
  std::shared_ptr<std::ostringstream> text = std::make_shared<std::ostringstream>();
  std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*text));
  std::string str() const {
    logger->flush();
    return text->str();
  }
};

// One value a node wrote with metric().
struct MetricPoint {
  std::int64_t step;
  std::string key;
  double value;
};

// What the host would hand a node of type `spec` set to `overrides`: the host's own
// resolution, so an undeclared or ill-typed parameter or a broken rule throws here too.
inline nlohmann::json params_with_defaults(const NodeTypeSpec& spec,
                                           const nlohmann::json& overrides,
                                           const std::vector<ParamRule>& rules = {}) {
  return core::resolve_params(spec, rules, overrides).all();
}
inline nlohmann::json params_with_defaults(const NodeTypeDeclaration& declaration,
                                           const nlohmann::json& overrides) {
  return params_with_defaults(declaration.spec, overrides, declaration.rules);
}

class TestNodeContext : public NodeContext {
 public:
  // Runs `spec` with its declared defaults overlaid with `overrides`, as node "node" of a
  // pipeline seeded 7, with `run_directory` standing in for the run's directory and
  // <run_directory>/node/work as the node's work directory (see set_node_name/set_work_dir).
  TestNodeContext(const NodeTypeSpec& spec, const nlohmann::json& overrides,
                  std::filesystem::path run_directory)
      : spec_(spec),
        params_(params_with_defaults(spec, overrides)),
        run_directory_(std::move(run_directory)),
        work_dir_(run_directory_ / "node" / "work") {
    reseed();
  }
  TestNodeContext(const NodeTypeDeclaration& declaration, const nlohmann::json& overrides,
                  std::filesystem::path run_directory)
      : spec_(declaration.spec),
        params_(params_with_defaults(declaration, overrides)),
        run_directory_(std::move(run_directory)),
        work_dir_(run_directory_ / "node" / "work") {
    reseed();
  }

  // Runs as node `name` of a pipeline seeded `pipeline_seed` with exactly `params`, with
  // `work_dir` (created) as both the work and the run directory; run(spec) names the type.
  TestNodeContext(std::string name, nlohmann::json params,
                  std::filesystem::path work_dir = std::filesystem::temp_directory_path(),
                  std::uint64_t pipeline_seed = 1)
      : name_(std::move(name)),
        pipeline_seed_(pipeline_seed),
        params_(std::move(params)),
        run_directory_(std::move(work_dir)),
        work_dir_(run_directory_) {
    std::filesystem::create_directories(work_dir_);
    reseed();
  }

  // The node's name, which with the pipeline seed gives seed() and rng().
  void set_node_name(std::string name) {
    name_ = std::move(name);
    reseed();
  }
  void set_pipeline_seed(std::uint64_t pipeline_seed) {
    pipeline_seed_ = pipeline_seed;
    reseed();
  }
  void set_work_dir(std::filesystem::path work_dir) { work_dir_ = std::move(work_dir); }
  void cancel() { cancelled_ = true; }

  void add_input(const std::string& port, std::shared_ptr<Artifact> artifact) {
    inputs_[port].push_back(std::move(artifact));
  }
  // Runs the node type given at construction.
  void run() {
    if (!spec_) throw std::logic_error("TestNodeContext::run(): no node type given");
    spec_->create()->run(*this);
  }
  void run(const NodeTypeSpec& spec) { spec.create()->run(*this); }
  void run(const NodeTypeDeclaration& declaration) { run(declaration.spec); }

  template <class T>
  std::shared_ptr<T> output(const std::string& port) const {
    auto found = outputs_.find(port);
    return found == outputs_.end() ? nullptr : std::dynamic_pointer_cast<T>(found->second);
  }
  const std::map<std::string, std::shared_ptr<Artifact>>& outputs() const { return outputs_; }

  // The values of one metric key, in the order written.
  std::vector<double> series(const std::string& key) const {
    std::vector<double> values;
    for (const MetricPoint& point : metrics)
      if (point.key == key) values.push_back(point.value);
    return values;
  }
  // The last value written for `key`; NaN when none was.
  double last_metric(const std::string& key) const {
    const auto values = series(key);
    return values.empty() ? std::numeric_limits<double>::quiet_NaN() : values.back();
  }
  std::string log_text() const { return log_.str(); }

  const std::string& node_name() const override { return name_; }
  const Params& params() const override { return params_; }
  bool has_input(std::string_view port) const override {
    auto found = inputs_.find(std::string(port));
    return found != inputs_.end() && !found->second.empty();
  }
  std::vector<std::shared_ptr<Artifact>> inputs(std::string_view port) const override {
    auto found = inputs_.find(std::string(port));
    return found == inputs_.end() ? std::vector<std::shared_ptr<Artifact>>{} : found->second;
  }
  void set_output(std::string_view port, std::shared_ptr<Artifact> artifact) override {
    outputs_[std::string(port)] = std::move(artifact);
  }
  spdlog::logger& log() override { return *log_.logger; }
  std::uint64_t seed() const override { return seed_; }
  std::mt19937_64& rng() override { return rng_; }
  const std::string& device() const override { return device_; }
  const std::filesystem::path& work_dir() const override { return work_dir_; }
  const std::filesystem::path& run_directory() const override { return run_directory_; }
  std::unique_ptr<Progress> progress(std::string, std::uint64_t) override {
    return std::make_unique<NullProgress>();
  }
  void metric(std::int64_t step, std::string_view key, double value) override {
    metrics.push_back({step, std::string(key), value});
  }
  bool cancelled() const override { return cancelled_; }
  void mark_incomplete(std::string reason) override { incomplete = std::move(reason); }

  std::vector<MetricPoint> metrics;
  std::optional<std::string> incomplete;  // the node's mark_incomplete() reason, if it called it

 private:
  void reseed() {
    seed_ = derive_seed(pipeline_seed_, name_);
    rng_.seed(seed_);
  }

  std::optional<NodeTypeSpec> spec_;
  std::string name_ = "node";
  std::uint64_t pipeline_seed_ = 7;
  std::uint64_t seed_ = 0;
  std::string device_ = "cpu";
  Params params_;
  std::filesystem::path run_directory_;
  std::filesystem::path work_dir_;
  std::mt19937_64 rng_;
  CapturedLog log_;
  bool cancelled_ = false;
  std::map<std::string, std::vector<std::shared_ptr<Artifact>>> inputs_;
  std::map<std::string, std::shared_ptr<Artifact>> outputs_;
};

}  // namespace paddock::testing
