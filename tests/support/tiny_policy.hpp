// A tiny policy and a reward that needs no training, shared by the tests of the learners that
// sample and score (PPO, RLOO, GRPO, Quark).
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "paddock/capabilities.hpp"
#include "paddock/model.hpp"
#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/transformer_model.hpp"

namespace paddock::testing {

// Shorter outputs score higher: a reward any policy can learn to raise in a few steps.
class BrevityReward : public Model, public RewardScorer {
 public:
  std::string backend() const override { return "test"; }
  std::vector<std::string> capabilities() const override { return {"reward"}; }
  void save(const std::filesystem::path&) const override {}
  std::vector<double> score(std::span<const InstructionPrompt>,
                            std::span<const std::string> responses) override {
    std::vector<double> scores;
    for (const std::string& text : responses)
      scores.push_back(-static_cast<double>(text.size()) / 10.0);
    return scores;
  }
};

// One layer, width 32, a 280-token BPE vocabulary; prompts are "{instruction}:".
inline std::shared_ptr<transformer::TransformerModel> tiny_policy() {
  torch::set_num_threads(1);
  transformer::BpeTrainerOptions options;
  options.vocab_size = 280;
  options.special_tokens = {"<|endoftext|>", "<|pad|>"};
  options.roles.eos = "<|endoftext|>";
  options.roles.pad = "<|pad|>";
  auto tokenizer =
      transformer::train_bpe_tokenizer({"one two three", "eee see thee", "cat dog"}, options);
  transformer::ModelConfig config;
  config.vocab_size = static_cast<std::int64_t>(tokenizer.vocab_size());
  config.hidden_size = 32, config.layers = 1, config.heads = 2, config.kv_heads = 2;
  config.intermediate_size = 64, config.max_positions = 64;
  transformer::PromptTemplate prompts;
  prompts.without_input = "{instruction}:";
  prompts.with_input = "{instruction} ({input}):";
  return std::make_shared<transformer::TransformerModel>(
      transformer::Decoder::initialise(config, /*seed=*/3, torch::kCPU),
      transformer::Decoder::WeightMap{}, std::move(tokenizer), prompts);
}

}  // namespace paddock::testing
