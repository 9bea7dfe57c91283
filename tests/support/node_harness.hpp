// A NodeContext for running one evaluator node without a pipeline: parameters with their
// declared defaults, inputs pushed in by the test, outputs and metrics kept for inspection.
#pragma once

#include <spdlog/logger.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "paddock/context.hpp"
#include "paddock/node.hpp"
#include "paddock/seed.hpp"

namespace paddock::testing {

class NullProgress : public Progress {
 public:
  void advance(std::uint64_t) override {}
  void add_tokens(std::uint64_t) override {}
  void set_status(std::string) override {}
  void finish() override {}
};

class TestNodeContext : public NodeContext {
 public:
  // `overrides` replaces declared defaults; `run_directory` stands in for the workdir.
  TestNodeContext(const NodeTypeSpec& spec, const nlohmann::json& overrides,
                  std::filesystem::path run_directory)
      : spec_(spec),
        run_directory_(std::move(run_directory)),
        work_dir_(run_directory_ / "node" / "work"),
        rng_(derive_seed(7, "node")),
        logger_(std::make_shared<spdlog::logger>("test")) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& param : spec.params) {
      if (!param.default_value.is_null()) values[param.name] = param.default_value;
    }
    for (const auto& [name, value] : overrides.items()) values[name] = value;
    params_ = Params(values);
  }

  void add_input(const std::string& port, std::shared_ptr<Artifact> artifact) {
    inputs_[port].push_back(std::move(artifact));
  }
  void run() { spec_.create()->run(*this); }

  template <class T>
  std::shared_ptr<T> output(const std::string& port) const {
    auto found = outputs_.find(port);
    return found == outputs_.end() ? nullptr : std::dynamic_pointer_cast<T>(found->second);
  }

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
  spdlog::logger& log() override { return *logger_; }
  std::uint64_t seed() const override { return derive_seed(7, "node"); }
  std::mt19937_64& rng() override { return rng_; }
  const std::string& device() const override { return device_; }
  const std::filesystem::path& work_dir() const override { return work_dir_; }
  const std::filesystem::path& run_directory() const override { return run_directory_; }
  std::unique_ptr<Progress> progress(std::string, std::uint64_t) override {
    return std::make_unique<NullProgress>();
  }
  void metric(std::int64_t step, std::string_view key, double value) override {
    metrics.emplace_back(step, std::string(key), value);
  }
  bool cancelled() const override { return false; }

  std::vector<std::tuple<std::int64_t, std::string, double>> metrics;

 private:
  const NodeTypeSpec& spec_;
  std::string name_ = "node";
  std::string device_ = "cpu";
  std::filesystem::path run_directory_;
  std::filesystem::path work_dir_;
  Params params_;
  std::mt19937_64 rng_;
  std::shared_ptr<spdlog::logger> logger_;
  std::map<std::string, std::vector<std::shared_ptr<Artifact>>> inputs_;
  std::map<std::string, std::shared_ptr<Artifact>> outputs_;
};

}  // namespace paddock::testing
