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
#include "paddock/transformer/transformer_model.hpp"
#include "tiny_transformer.hpp"

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
  TinyTransformerSpec spec;
  spec.corpus = {"one two three", "eee see thee", "cat dog"};
  spec.vocab_size = 280;
  spec.layers = 1;
  spec.heads = 2;
  spec.kv_heads = 2;
  spec.max_positions = 64;
  spec.seed = 3;
  spec.prompt_without_input = "{instruction}:";
  spec.prompt_with_input = "{instruction} ({input}):";
  return tiny_transformer(spec);
}

}  // namespace paddock::testing
