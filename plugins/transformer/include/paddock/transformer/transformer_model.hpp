// The `transformer` model backend: a Decoder with its tokenizer and prompt template, as a
// Paddock Model with the TextGenerator, RequestGenerator, RewardScorer,
// InstructionTemplateEditor and CausalLanguageModel capabilities.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "paddock/capabilities.hpp"
#include "paddock/instruction_template.hpp"
#include "paddock/model.hpp"
#include "paddock/request_generator.hpp"
#include "paddock/torch/causal_lm.hpp"
#include "paddock/transformer/decoder.hpp"
#include "paddock/transformer/prompt_template.hpp"
#include "paddock/transformer/sampler.hpp"
#include "paddock/transformer/tokenizer.hpp"

namespace paddock::transformer {

inline constexpr const char* kBackendName = "transformer";

class TransformerModel : public Model,
                         public TextGenerator,
                         public RequestGenerator,
                         public RewardScorer,
                         public InstructionTemplateEditor,
                         public CausalLanguageModel {
 public:
  TransformerModel(Decoder decoder, Decoder::WeightMap heads, std::unique_ptr<Tokenizer> tokenizer,
                   PromptTemplate prompt_template);
  // With a byte-level BPE tokenizer (the embedded world's, tests').
  TransformerModel(Decoder decoder, Decoder::WeightMap heads, BpeTokenizer tokenizer,
                   PromptTemplate prompt_template);

  // Reads a checkpoint directory in the Hugging Face layout (config.json, safetensors,
  // tokenizer files) plus our paddock_prompt.json when present.
  static std::shared_ptr<TransformerModel> load(const std::filesystem::path& directory,
                                                torch::Device device);

  // Ids of the embedding beyond the tokenizer's (a padded vocabulary), 0 when none; and a
  // sentence saying so for the load log ("" when none).
  std::int64_t padded_ids() const;
  std::string vocabulary_note() const;

  // Model
  std::string backend() const override { return kBackendName; }
  std::vector<std::string> capabilities() const override;
  void save(const std::filesystem::path& directory) const override;
  std::vector<std::string> load_notes() const override;

  // TextGenerator
  std::string format_prompt(const InstructionPrompt& prompt) const override;
  std::vector<std::vector<Generation>> generate(const std::vector<std::string>& prompts,
                                                const GenerationOptions& options) override;

  // RequestGenerator: per-request options in one continuous batch, tokens reported as they
  // come; requests join and leave between decoding steps.
  std::vector<std::vector<Generation>> generate_requests(
      const std::vector<GenerationRequest>& requests, GenerationListener* listener) override;
  void generate_continuously(RequestFeed& feed, GenerationListener* listener) override;
  std::string token_bytes(std::int64_t token_id) const override;
  std::int64_t prompt_token_count(const std::string& prompt) const override {
    return static_cast<std::int64_t>(prompt_tokens(prompt).size());
  }

  // RewardScorer: the reward head on prompt + response (no EOS, as AlpacaFarm scored).
  std::vector<double> score(std::span<const InstructionPrompt> prompts,
                            std::span<const std::string> responses) override;

  // InstructionTemplateEditor: the template saved as paddock_prompt.json.
  InstructionTemplate instruction_template() const override;
  void set_instruction_template(const InstructionTemplate& replacement) override;

  // CausalLanguageModel
  std::vector<std::int64_t> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::int64_t>& ids) const override;
  std::vector<std::int64_t> sequence_prefix() const override;
  std::int64_t eos_token_id() const override;
  std::int64_t pad_token_id() const override;
  std::int64_t vocab_size() const override { return decoder_.config().vocab_size; }
  std::int64_t max_sequence_length() const override { return decoder_.config().context_length(); }
  torch::Device device() const override { return decoder_.device(); }
  torch::Tensor hidden_states(const torch::Tensor& ids, const torch::Tensor& mask) override;
  torch::Tensor lm_logits(const torch::Tensor& hidden) override { return decoder_.logits(hidden); }
  torch::Tensor reward(const torch::Tensor& hidden, const torch::Tensor& mask) override;
  torch::Tensor values(const torch::Tensor& hidden) override;
  void add_reward_head() override;
  void add_value_head() override;
  std::vector<std::int64_t> add_special_tokens(const std::vector<std::string>& tokens) override;
  std::vector<torch::Tensor> parameters() override;
  void set_training(bool training) override;
  std::shared_ptr<Model> clone() const override;

  const Decoder& decoder() const { return decoder_; }
  Decoder& decoder() { return decoder_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const PromptTemplate& prompt_template() const { return prompt_template_; }
  bool has_reward_head() const { return heads_.count("score.weight") != 0; }
  bool has_value_head() const { return heads_.count("value_head.weight") != 0; }

 private:
  void add_head(const std::string& name);
  // The token ids generation starts from: the sequence prefix (BOS) and the prompt.
  std::vector<std::int64_t> prompt_tokens(const std::string& prompt) const;
  SamplingVocabulary sampling_vocabulary() const;

  Decoder decoder_;
  Decoder::WeightMap heads_;
  std::unique_ptr<Tokenizer> tokenizer_;
  PromptTemplate prompt_template_;
  bool training_ = false;
};

}  // namespace paddock::transformer
