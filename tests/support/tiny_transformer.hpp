// Tiny TransformerModels for the tests: a byte-level BPE tokenizer trained on a few lines and
// a freshly initialised decoder, described by a TinyTransformerSpec. Small enough to train in
// a second on one thread.
#pragma once

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/transformer_model.hpp"

namespace paddock::testing {

// The lines most tiny tokenizers are trained on.
inline std::vector<std::string> tiny_corpus() {
  return {"Add 2 and 3.", "The answer is 5.",     "Reverse the word cat.",
          "tac",          "Name a colour: blue.", "hello world, hello paddock"};
}

struct TinyTransformerSpec {
  transformer::ModelFamily family = transformer::ModelFamily::gpt2;
  std::vector<std::string> corpus = tiny_corpus();  // the tokenizer's training text
  std::size_t vocab_size = 300;
  bool bos = false;  // "<s>" as the sequence-start token (after <|endoftext|> and <|pad|>)
  std::int64_t hidden_size = 32;
  std::int64_t layers = 2;
  std::int64_t heads = 4;
  std::int64_t kv_heads = 4;
  std::int64_t intermediate_size = 64;
  std::int64_t max_positions = 128;
  std::uint64_t seed = 5;
  torch::Device device = torch::kCPU;
  std::string prompt_without_input = "Q: {instruction}\nA:";
  std::string prompt_with_input = "Q: {instruction}\n{input}\nA:";
};

inline std::shared_ptr<transformer::TransformerModel> tiny_transformer(
    const TinyTransformerSpec& spec) {
  transformer::BpeTrainerOptions options;
  options.vocab_size = spec.vocab_size;
  options.special_tokens = {"<|endoftext|>", "<|pad|>"};
  options.roles.eos = "<|endoftext|>";
  options.roles.pad = "<|pad|>";
  if (spec.bos) {
    options.special_tokens.push_back("<s>");
    options.roles.bos = "<s>";
  }
  transformer::BpeTokenizer tokenizer = transformer::train_bpe_tokenizer(spec.corpus, options);
  transformer::ModelConfig config;
  config.family = spec.family;
  config.vocab_size = static_cast<std::int64_t>(tokenizer.vocab_size());
  config.hidden_size = spec.hidden_size;
  config.layers = spec.layers;
  config.heads = spec.heads;
  config.kv_heads = spec.kv_heads;
  config.intermediate_size = spec.intermediate_size;
  config.max_positions = spec.max_positions;
  transformer::PromptTemplate prompts;
  prompts.without_input = spec.prompt_without_input;
  prompts.with_input = spec.prompt_with_input;
  return std::make_shared<transformer::TransformerModel>(
      transformer::Decoder::initialise(config, spec.seed, spec.device),
      transformer::Decoder::WeightMap{}, std::move(tokenizer), prompts);
}

}  // namespace paddock::testing
