// Mistral's checkpoints: read as the LLaMA architecture, saved back as Mistral, and their
// sliding window honoured by running no sequence longer than it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "config_error.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/decoder.hpp"
#include "paddock/transformer/model_config.hpp"
#include "paddock/transformer/sampler.hpp"
#include "paddock/transformer/tokenizer.hpp"
#include "paddock/transformer/transformer_model.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

nlohmann::json mistral_json() {
  return {{"architectures", {"MistralForCausalLM"}},
          {"model_type", "mistral"},
          {"vocab_size", 40},
          {"hidden_size", 32},
          {"intermediate_size", 48},
          {"num_hidden_layers", 2},
          {"num_attention_heads", 4},
          {"num_key_value_heads", 2},
          {"max_position_embeddings", 64},
          {"rms_norm_eps", 1e-5},
          {"rope_theta", 10000.0},
          {"sliding_window", 16},
          {"hidden_act", "silu"},
          {"tie_word_embeddings", false}};
}

TEST(Mistral, ReadAsLlamaAndSavedBackAsMistral) {
  const ModelConfig config = parse_model_config(mistral_json(), "config.json");
  EXPECT_EQ(config.family, ModelFamily::llama);
  EXPECT_TRUE(config.mistral);
  EXPECT_EQ(config.sliding_window, 16);
  EXPECT_EQ(config.context_length(), 16);
  const auto saved = model_config_to_json(config);
  EXPECT_EQ(saved["model_type"], "mistral");
  EXPECT_EQ(saved["architectures"][0], "MistralForCausalLM");
  EXPECT_EQ(saved["sliding_window"], 16);
  EXPECT_EQ(saved["max_position_embeddings"], 64);

  // No field at all: Hugging Face's default, Mistral 7B v0.1's 4096.
  auto unstated = mistral_json();
  unstated.erase("sliding_window");
  unstated["max_position_embeddings"] = 32768;
  EXPECT_EQ(parse_model_config(unstated, "config.json").context_length(), 4096);

  // Mistral 7B v0.2 and later: no window. The architecture alone names the type too.
  auto unwindowed = mistral_json();
  unwindowed["sliding_window"] = nullptr;
  unwindowed.erase("model_type");
  const ModelConfig whole = parse_model_config(unwindowed, "config.json");
  EXPECT_TRUE(whole.mistral);
  EXPECT_EQ(whole.context_length(), 64);
  EXPECT_TRUE(model_config_to_json(whole)["sliding_window"].is_null());

  // Hugging Face's LLaMA ignores a sliding_window, and so does Paddock.
  auto llama = mistral_json();
  llama["model_type"] = "llama";
  EXPECT_EQ(parse_model_config(llama, "config.json").context_length(), 64);

  auto bad = mistral_json();
  bad["sliding_window"] = 0;
  EXPECT_EQ(config_error(bad), "m/config.json: field 'sliding_window' must be positive or null");
  bad["sliding_window"] = "16";
  EXPECT_EQ(config_error(bad), "m/config.json: field 'sliding_window' must be an integer or null");
  bad["model_type"] = "qwen2";
  EXPECT_EQ(config_error(bad),
            "m/config.json: field 'model_type' is 'qwen2'; supported: gpt2, "
            "llama, mistral");
}

TEST(Mistral, NothingLongerThanTheSlidingWindowRuns) {
  const ModelConfig config = parse_model_config(mistral_json(), "config.json");
  const Decoder decoder = Decoder::initialise(config, 5, torch::kCPU);
  torch::NoGradGuard no_grad;
  const auto run = [&](std::int64_t length) {
    const auto ids = torch::randint(0, 40, {1, length}, torch::kLong);
    const auto mask = torch::ones_like(ids);
    return decoder.forward(ids, positions_from_mask(mask), mask);
  };
  EXPECT_EQ(run(16).size(1), 16);  // up to the window, whole attention is the window's
  try {
    run(17);
    FAIL() << "a sequence past the window ran";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 "sequence longer than the model's sliding window of 16 positions, which "
                 "Paddock does not apply");
  }

  SamplingVocabulary vocabulary;
  vocabulary.decode = [](const std::vector<std::int64_t>&) { return std::string(); };
  vocabulary.encode = [](const std::string& text) {
    return std::vector<std::int64_t>(text.size(), 3);  // a token per character
  };
  GenerationOptions options;
  options.max_new_tokens = 6;
  EXPECT_EQ(
      sample_continuations(decoder, {std::vector<std::int64_t>(10, 3)}, options, vocabulary)[0][0]
          .token_ids.size(),
      6U);
  try {
    sample_continuations(decoder, {std::vector<std::int64_t>(11, 3)}, options, vocabulary);
    FAIL() << "a generation past the window ran";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 "a prompt of 11 tokens plus 6 new tokens exceeds the model's 16 positions (its "
                 "sliding window, which Paddock does not apply: it runs no longer sequences)");
  }
  // A request that may shrink to the room left (a chat request without max_tokens) stops at
  // the window: 10 prompt tokens, 6 new.
  GenerationRequest request;
  request.prompt = std::string(10, 'a');
  request.options.max_new_tokens = 100;
  request.fit_to_context = true;
  EXPECT_EQ(sample_requests(decoder, {request}, vocabulary, nullptr)[0][0].token_ids.size(), 6U);
}

TEST(Mistral, LearnersSeeTheWindowAsTheLongestSequence) {
  auto json = mistral_json();
  json["vocab_size"] = 320;  // the tiny SentencePiece model's pieces
  const ModelConfig config = parse_model_config(json, "config.json");
  testing::TempDir tokenizer_dir;
  std::filesystem::copy_file(PADDOCK_TINY_LLAMA_TOKENIZER,
                             tokenizer_dir.path() / "tokenizer.model");
  const TransformerModel model(Decoder::initialise(config, 5, torch::kCPU), Decoder::WeightMap{},
                               load_checkpoint_tokenizer(tokenizer_dir.path()), PromptTemplate{});
  EXPECT_EQ(model.max_sequence_length(), 16);
}

}  // namespace
}  // namespace paddock::transformer
