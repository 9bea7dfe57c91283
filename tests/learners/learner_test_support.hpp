// Helpers for the learner tests: tiny TransformerModels with a trained tokenizer and
// datasets; nodes run in the shared TestNodeContext (node_harness.hpp).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "node_harness.hpp"
#include "paddock/dataset.hpp"
#include "paddock/node.hpp"
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

using paddock::testing::params_with_defaults;
using paddock::testing::TestNodeContext;

}  // namespace paddock::learning::testing
