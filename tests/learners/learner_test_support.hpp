// Helpers for the learner tests: tiny TransformerModels with a trained tokenizer, datasets,
// and a stand-in NodeContext that runs a node type without a pipeline, with its own work
// directory and a record of the metrics it wrote.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include "paddock/context.hpp"
#include "paddock/dataset.hpp"
#include "paddock/node.hpp"
#include "paddock/seed.hpp"
#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/transformer_model.hpp"

namespace paddock::learning::testing {

// Tiny models run fastest on one thread; on a busy machine several OpenMP threads spin
// waiting for each other and a test takes twenty times longer. Nodes call
// configure_torch_threads(), which reads PADDOCK_THREADS (a value set by the user wins).
inline void use_one_torch_thread() {
  ::setenv("PADDOCK_THREADS", "1", /*overwrite=*/0);
  torch::set_num_threads(1);
}

// A model small enough to train in a second: width 32, two layers, a 300-token BPE
// vocabulary trained on `corpus` plus a few fixed texts.
inline std::shared_ptr<transformer::TransformerModel> tiny_model(
    std::vector<std::string> corpus = {}, std::uint64_t seed = 5) {
  using namespace paddock::transformer;
  use_one_torch_thread();
  BpeTrainerOptions options;
  options.vocab_size = 300;
  options.special_tokens = {"<|endoftext|>", "<|pad|>"};
  options.roles.eos = "<|endoftext|>";
  options.roles.pad = "<|pad|>";
  for (const char* text : {"Add 2 and 3.", "The answer is 5.", "Reverse the word cat.", "tac",
                           "Name a colour: blue.", "hello world, hello paddock"})
    corpus.push_back(text);
  BpeTokenizer tokenizer = train_bpe_tokenizer(corpus, options);
  ModelConfig config;
  config.family = ModelFamily::gpt2;
  config.vocab_size = static_cast<std::int64_t>(tokenizer.vocab_size());
  config.hidden_size = 32;
  config.layers = 2;
  config.heads = 4;
  config.kv_heads = 4;
  config.intermediate_size = 64;
  config.max_positions = 128;
  config.tie_embeddings = true;
  PromptTemplate prompts;
  prompts.without_input = "Q: {instruction}\nA:";
  prompts.with_input = "Q: {instruction}\n{input}\nA:";
  return std::make_shared<TransformerModel>(Decoder::initialise(config, seed, torch::kCPU),
                                            Decoder::WeightMap{}, std::move(tokenizer), prompts);
}

inline Record alpaca(std::string instruction, std::string output, std::string input = "") {
  Record record;
  record["instruction"] = std::move(instruction);
  record["input"] = std::move(input);
  record["output"] = std::move(output);
  return record;
}

inline Record preference(std::string instruction, std::string output_1, std::string output_2,
                         nlohmann::ordered_json label) {
  Record record;
  record["instruction"] = std::move(instruction);
  record["input"] = "";
  record["output_1"] = std::move(output_1);
  record["output_2"] = std::move(output_2);
  record["preference"] = std::move(label);
  return record;
}

// Every parameter of a model, detached copies, in parameters() order.
inline std::vector<torch::Tensor> weights_of(Model& model) {
  std::vector<torch::Tensor> weights;
  for (const auto& tensor : model.as<CausalLanguageModel>()->parameters())
    weights.push_back(tensor.detach().clone());
  return weights;
}

inline bool bitwise_equal(const std::vector<torch::Tensor>& a,
                          const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

class NullProgress : public Progress {
 public:
  void advance(std::uint64_t) override {}
  void add_tokens(std::uint64_t) override {}
  void set_status(std::string) override {}
  void finish() override {}
};

struct MetricPoint {
  std::int64_t step;
  std::string key;
  double value;
};

class TestContext : public NodeContext {
 public:
  TestContext(std::string name, nlohmann::json params, std::filesystem::path work_dir,
              std::uint64_t pipeline_seed = 1)
      : name_(std::move(name)),
        params_(std::move(params)),
        seed_(derive_seed(pipeline_seed, name_)),
        rng_(seed_),
        logger_(std::make_shared<spdlog::logger>("test",
                                                 std::make_shared<spdlog::sinks::null_sink_mt>())),
        work_dir_(std::move(work_dir)) {
    use_one_torch_thread();
    std::filesystem::create_directories(work_dir_);
  }

  void add_input(const std::string& port, std::shared_ptr<Artifact> artifact) {
    inputs_[port].push_back(std::move(artifact));
  }
  template <class T>
  std::shared_ptr<T> output(const std::string& port) const {
    const auto found = outputs_.find(port);
    return found == outputs_.end() ? nullptr : std::dynamic_pointer_cast<T>(found->second);
  }
  // The values of one metric key, in the order written.
  std::vector<double> series(const std::string& key) const {
    std::vector<double> values;
    for (const MetricPoint& point : metrics_)
      if (point.key == key) values.push_back(point.value);
    return values;
  }
  void cancel() { cancelled_ = true; }

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
  void metric(std::int64_t step, std::string_view key, double value) override {
    metrics_.push_back({step, std::string(key), value});
  }
  bool cancelled() const override { return cancelled_; }

 private:
  std::string name_;
  Params params_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::shared_ptr<spdlog::logger> logger_;
  std::filesystem::path work_dir_;
  std::string device_ = "cpu";
  bool cancelled_ = false;
  std::map<std::string, std::vector<std::shared_ptr<Artifact>>> inputs_;
  std::map<std::string, std::shared_ptr<Artifact>> outputs_;
  std::vector<MetricPoint> metrics_;
};

// The declared defaults of `spec` overlaid with `overrides`: what the host would hand the node.
inline nlohmann::json params_with_defaults(const NodeTypeSpec& spec, nlohmann::json overrides) {
  nlohmann::json values = nlohmann::json::object();
  for (const ParamSpec& param : spec.params)
    if (!param.default_value.is_null()) values[param.name] = param.default_value;
  for (auto& [key, value] : overrides.items()) values[key] = value;
  return values;
}

// Runs a node type against a context.
inline void run_node(const NodeTypeSpec& spec, TestContext& context) {
  spec.create()->run(context);
}

}  // namespace paddock::learning::testing
