// A Quark step's gradient in two shards side by side is the one-pass gradient: the shards'
// token-mean losses, weighted by their share of the response tokens, add up to the whole
// micro-batch's mean, and so do the logged loss, NLL, KL and entropy.
#include "paddock/quark/quark_step.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "paddock/learning/gradient_shards.hpp"
#include "tiny_policy.hpp"

namespace paddock::quark {
namespace {

struct StepCase {
  std::shared_ptr<transformer::TransformerModel> policy = testing::tiny_policy();
  std::shared_ptr<transformer::TransformerModel> reference = testing::tiny_policy();
  std::vector<std::vector<std::int64_t>> prompt_ids;
  std::vector<PoolEntry> entries;
  std::vector<QuarkExample> examples;
  QuarkStepInputs inputs;

  StepCase() {
    policy->set_training(true);
    {
      // A policy a little away from its reference, so the KL term has a gradient.
      torch::NoGradGuard no_grad;
      torch::manual_seed(11);
      for (auto& parameter : policy->parameters())
        parameter.add_(torch::randn_like(parameter), 0.05);
    }
    for (const std::string& prompt : {"one", "cat dog", "eee see thee"}) {
      std::vector<std::int64_t> ids = policy->sequence_prefix();
      for (std::int64_t id : policy->tokenize(policy->format_prompt({prompt, ""})))
        ids.push_back(id);
      prompt_ids.push_back(ids);
    }
    // Responses of different lengths, so the shards hold different numbers of tokens.
    const std::vector<std::string> responses = {
        "two", "three three three", "cat",      "dog dog",
        "see", "one two three",     "thee eee", "cat dog cat dog cat"};
    for (std::size_t i = 0; i < responses.size(); ++i) {
      PoolEntry entry;
      entry.prompt = i % prompt_ids.size();
      entry.response = policy->tokenize(responses[i]);
      entry.response.push_back(policy->eos_token_id());
      entry.text = responses[i];
      entries.push_back(std::move(entry));
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      QuarkExample example{&entries[i], std::nullopt};
      if (i % 3 == 0) example.reward_token = 7;  // any id: the policy reads it after the prefix
      examples.push_back(example);
    }
    inputs.policy = policy.get();
    inputs.reference = reference.get();
    inputs.prompt_ids = &prompt_ids;
    inputs.prefix_length = policy->sequence_prefix().size();
    inputs.reference_vocabulary = reference->vocab_size();
    inputs.kl_coefficient = 0.3;
    inputs.entropy_coefficient = 0.1;
  }

  // The figures and a copy of each parameter's gradient after a step with `shards`.
  std::pair<QuarkStepFigures, std::vector<torch::Tensor>> step(std::size_t shards) {
    const auto parameters = policy->parameters();
    for (const auto& parameter : parameters) parameter.mutable_grad() = torch::Tensor();
    const QuarkStepFigures figures = quark_step_gradients(inputs, examples, parameters, shards);
    std::vector<torch::Tensor> gradients;
    for (const auto& parameter : parameters)
      gradients.push_back(parameter.grad().defined() ? parameter.grad().clone() : torch::Tensor());
    return {figures, gradients};
  }
};

TEST(QuarkStep, TwoShardsGiveTheOnePassGradientAndFigures) {
  StepCase fixture;
  ASSERT_EQ(learning::gradient_shard_count(fixture.examples.size()), 2u);
  const auto [whole, whole_gradients] = fixture.step(1);
  const auto [sharded, sharded_gradients] = fixture.step(2);
  EXPECT_GT(whole.kl, 0.0);
  EXPECT_GT(whole.entropy, 0.0);
  EXPECT_DOUBLE_EQ(sharded.tokens, whole.tokens);
  EXPECT_DOUBLE_EQ(sharded.positions, whole.positions);
  EXPECT_NEAR(sharded.loss, whole.loss, 1e-5 * std::abs(whole.loss));
  EXPECT_NEAR(sharded.nll, whole.nll, 1e-5 * std::abs(whole.nll));
  EXPECT_NEAR(sharded.kl, whole.kl, 1e-4 * std::abs(whole.kl));
  EXPECT_NEAR(sharded.entropy, whole.entropy, 1e-5 * std::abs(whole.entropy));
  ASSERT_EQ(sharded_gradients.size(), whole_gradients.size());
  std::size_t compared = 0;
  for (std::size_t i = 0; i < whole_gradients.size(); ++i) {
    ASSERT_EQ(sharded_gradients[i].defined(), whole_gradients[i].defined()) << "parameter " << i;
    if (!whole_gradients[i].defined()) continue;
    EXPECT_TRUE(torch::allclose(sharded_gradients[i], whole_gradients[i], 1e-4, 1e-6))
        << "parameter " << i << ": largest difference "
        << (sharded_gradients[i] - whole_gradients[i]).abs().max().item<double>();
    ++compared;
  }
  EXPECT_GT(compared, 0u);
}

TEST(QuarkStep, ANonFiniteLossAddsNoGradient) {
  StepCase fixture;
  {
    torch::NoGradGuard no_grad;
    fixture.policy->parameters().front().fill_(std::numeric_limits<float>::quiet_NaN());
  }
  for (std::size_t shards : {1u, 2u}) {
    const auto [figures, gradients] = fixture.step(shards);
    EXPECT_FALSE(std::isfinite(figures.loss)) << shards << " shards";
    for (const auto& gradient : gradients) EXPECT_FALSE(gradient.defined()) << shards << " shards";
  }
}

}  // namespace
}  // namespace paddock::quark
