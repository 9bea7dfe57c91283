// Helpers for the world's tests: pairs that carry a task's hidden columns, sampled outputs
// and a minimal NodeContext so node types run without a pipeline around them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include "paddock/annotator.hpp"
#include "paddock/context.hpp"
#include "paddock/seed.hpp"
#include "task.hpp"

namespace paddock::world::testing {

// A pair as a pair builder makes it: the row's extra columns copied into the metadata.
inline PreferencePair make_pair(const Task& task, std::string output_1, std::string output_2) {
  PreferencePair pair;
  pair.instruction = task.instruction;
  pair.input = task.input;
  pair.output_1 = std::move(output_1);
  pair.output_2 = std::move(output_2);
  pair.metadata = task_to_record(task);
  pair.metadata.erase("instruction");
  pair.metadata.erase("input");
  return pair;
}

class NullProgress : public Progress {
 public:
  void advance(std::uint64_t) override {}
  void add_tokens(std::uint64_t) override {}
  void set_status(std::string) override {}
  void finish() override {}
};

class FakeContext : public NodeContext {
 public:
  FakeContext(std::string name, nlohmann::json params, std::uint64_t pipeline_seed = 1)
      : name_(std::move(name)),
        params_(std::move(params)),
        seed_(derive_seed(pipeline_seed, name_)),
        rng_(seed_),
        logger_(std::make_shared<spdlog::logger>("test",
                                                 std::make_shared<spdlog::sinks::null_sink_mt>())),
        work_dir_(std::filesystem::temp_directory_path()) {}

  void add_input(const std::string& port, std::shared_ptr<Artifact> artifact) {
    inputs_[port].push_back(std::move(artifact));
  }
  template <class T>
  std::shared_ptr<T> output(const std::string& port) const {
    const auto found = outputs_.find(port);
    return found == outputs_.end() ? nullptr : std::dynamic_pointer_cast<T>(found->second);
  }
  const std::map<std::string, std::shared_ptr<Artifact>>& outputs() const { return outputs_; }

  const std::string& node_name() const override { return name_; }
  const Params& params() const override { return params_; }
  bool has_input(std::string_view port) const override {
    return inputs_.count(std::string(port)) > 0;
  }
  std::vector<std::shared_ptr<Artifact>> inputs(std::string_view port) const override {
    const auto found = inputs_.find(std::string(port));
    return found == inputs_.end() ? std::vector<std::shared_ptr<Artifact>>{} : found->second;
  }
  void set_output(std::string_view port, std::shared_ptr<Artifact> artifact) override {
    outputs_[std::string(port)] = std::move(artifact);
  }
  spdlog::logger& log() override { return *logger_; }
  std::uint64_t seed() const override { return seed_; }
  std::mt19937_64& rng() override { return rng_; }
  const std::string& device() const override { return device_; }
  const std::filesystem::path& work_dir() const override { return work_dir_; }
  const std::filesystem::path& run_directory() const override { return work_dir_; }
  std::unique_ptr<Progress> progress(std::string, std::uint64_t) override {
    return std::make_unique<NullProgress>();
  }
  void metric(std::int64_t, std::string_view, double) override {}
  bool cancelled() const override { return false; }

 private:
  std::string name_;
  Params params_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::shared_ptr<spdlog::logger> logger_;
  std::filesystem::path work_dir_;
  std::string device_ = "cpu";
  std::map<std::string, std::vector<std::shared_ptr<Artifact>>> inputs_;
  std::map<std::string, std::shared_ptr<Artifact>> outputs_;
};

}  // namespace paddock::world::testing
