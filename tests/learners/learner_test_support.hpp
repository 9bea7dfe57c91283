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
#include "paddock/transformer/transformer_model.hpp"
#include "tiny_transformer.hpp"

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
  use_one_torch_thread();
  paddock::testing::TinyTransformerSpec spec;
  for (std::string& text : paddock::testing::tiny_corpus()) corpus.push_back(std::move(text));
  spec.corpus = std::move(corpus);
  spec.seed = seed;
  return paddock::testing::tiny_transformer(spec);
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
