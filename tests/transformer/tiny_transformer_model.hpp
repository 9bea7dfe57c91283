// A tiny TransformerModel (two layers, width 48, a 300-token BPE vocabulary trained on six
// lines) of either family, for the backend's tests.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/transformer_model.hpp"

namespace paddock::transformer {

inline std::shared_ptr<TransformerModel> tiny_transformer_model(
    ModelFamily family = ModelFamily::gpt2, std::uint64_t seed = 5,
    torch::Device device = torch::kCPU, std::int64_t max_positions = 256) {
  BpeTrainerOptions options;
  options.vocab_size = 300;
  options.special_tokens = {"<|endoftext|>", "<|pad|>", "<s>"};
  options.roles.eos = "<|endoftext|>";
  options.roles.pad = "<|pad|>";
  options.roles.bos = "<s>";
  const std::vector<std::string> corpus = {"Add 2 and 3.",          "The answer is 5.",
                                           "Reverse the word cat.", "tac",
                                           "Name a colour: blue.",  "hello world, hello paddock"};
  BpeTokenizer tokenizer = train_bpe_tokenizer(corpus, options);
  ModelConfig config;
  config.family = family;
  config.vocab_size = static_cast<std::int64_t>(tokenizer.vocab_size());
  config.hidden_size = 48;
  config.layers = 2;
  config.heads = 4;
  config.kv_heads = family == ModelFamily::llama ? 2 : 4;
  config.intermediate_size = 96;
  config.max_positions = max_positions;
  config.tie_embeddings = true;
  PromptTemplate prompts;
  prompts.without_input = "Q: {instruction}\nA:";
  prompts.with_input = "Q: {instruction}\n{input}\nA:";
  return std::make_shared<TransformerModel>(Decoder::initialise(config, seed, device),
                                            Decoder::WeightMap{}, std::move(tokenizer), prompts);
}

}  // namespace paddock::transformer
