// The tiny model for the serve tests.
#include "serve_test_model.hpp"

#include <torch/torch.h>

#include <cstdlib>
#include <fstream>

#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/transformer_model.hpp"

namespace paddock::serve::testing {

std::shared_ptr<Model> make_tiny_model() {
  using namespace paddock::transformer;
  torch::set_num_threads(
      1);  // tiny models are fastest on one thread, and ctest runs tests side by side
  BpeTrainerOptions options;
  options.vocab_size = 300;
  options.special_tokens = {"<|endoftext|>", "<|pad|>"};
  options.roles.eos = "<|endoftext|>";
  options.roles.pad = "<|pad|>";
  const std::vector<std::string> corpus = {"Add 2 and 3.",
                                           "The answer is 5.",
                                           "Reverse the word cat.",
                                           "tac",
                                           "Name a colour: blue.",
                                           "hello world, hello paddock",
                                           "Output (a) is better. Output (b) is worse.",
                                           "Which of the two answers is more helpful?"};
  BpeTokenizer tokenizer = train_bpe_tokenizer(corpus, options);
  ModelConfig config;
  config.family = ModelFamily::gpt2;
  config.vocab_size = static_cast<std::int64_t>(tokenizer.vocab_size());
  config.hidden_size = 32;
  config.layers = 2;
  config.heads = 4;
  config.kv_heads = 4;
  config.intermediate_size = 64;
  config.max_positions = 512;
  config.tie_embeddings = true;
  PromptTemplate prompts;
  prompts.without_input = "Q: {instruction}\nA:";
  prompts.with_input = "Q: {instruction}\n{input}\nA:";
  return std::make_shared<TransformerModel>(Decoder::initialise(config, /*seed=*/5, torch::kCPU),
                                            Decoder::WeightMap{}, std::move(tokenizer), prompts);
}

void save_tiny_model(const std::filesystem::path& directory) {
  make_tiny_model()->save(directory);
  std::ofstream(directory / "paddock_model.json") << "{\"backend\": \"transformer\"}\n";
}

}  // namespace paddock::serve::testing
