// `generate` and `best_of_n`: output rows keep the prompt's columns, samples are seeded,
// best-of-n keeps the highest-reward sample, and best-of-1 equals plain generation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learner_test_support.hpp"
#include "paddock/error.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "test_support.hpp"

namespace paddock::learning {
namespace {

using namespace testing;
using paddock::testing::TempDir;

std::shared_ptr<Dataset> prompt_set() {
  std::vector<Record> rows = {alpaca("Add 2 and 3.", "reference five"),
                              alpaca("Reverse the word cat.", "reference tac"),
                              alpaca("Name a colour.", "reference blue", "hello")};
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i]["dataset"] = "set-" + std::to_string(i);
  return std::make_shared<Dataset>(std::move(rows));
}

// A reward model whose head is random, so samples get different scores.
std::shared_ptr<transformer::TransformerModel> random_reward_model() {
  auto model = tiny_model({}, /*seed=*/9);
  model->add_reward_head();
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  for (auto& tensor : model->parameters())
    if (tensor.dim() == 2 && tensor.size(0) == 1) tensor.normal_();
  return model;
}

Dataset run_generate(std::shared_ptr<Model> model, nlohmann::json params,
                     const std::string& node = "policy") {
  TempDir dir;
  TestNodeContext context(node, params_with_defaults(generate_node_type(), std::move(params)),
                          dir.path());
  context.add_input("model", std::move(model));
  context.add_input("prompts", prompt_set());
  context.run(generate_node_type());
  return *context.output<Dataset>("outputs");
}

Dataset run_best_of_n(std::shared_ptr<Model> model, std::shared_ptr<Model> reward,
                      nlohmann::json params, const std::string& node = "policy") {
  TempDir dir;
  TestNodeContext context(node, params_with_defaults(best_of_n_node_type(), std::move(params)),
                          dir.path());
  context.add_input("model", std::move(model));
  context.add_input("reward", std::move(reward));
  context.add_input("prompts", prompt_set());
  context.run(best_of_n_node_type());
  return *context.output<Dataset>("outputs");
}

TEST(Generate, OneRowPerSampleKeepingThePromptColumns) {
  auto model = tiny_model();
  const Dataset outputs = run_generate(
      model, {{"samples_per_prompt", 2}, {"max_new_tokens", 6}, {"generator_name", "tiny"}});
  ASSERT_EQ(outputs.size(), 6u);
  EXPECT_EQ(outputs[0]["instruction"], "Add 2 and 3.");
  EXPECT_EQ(outputs[0]["sample"], 0);
  EXPECT_EQ(outputs[1]["sample"], 1);
  EXPECT_EQ(outputs[5]["dataset"], "set-2");
  EXPECT_EQ(outputs[5]["input"], "hello");
  EXPECT_EQ(outputs[3]["generator"], "tiny");
  EXPECT_NE(outputs[0]["output"], "reference five");

  // Seeded: the same node again gives the same outputs; batch_size does not matter.
  EXPECT_EQ(run_generate(model, {{"samples_per_prompt", 2},
                                 {"max_new_tokens", 6},
                                 {"generator_name", "tiny"},
                                 {"batch_size", 1}})
                .records(),
            outputs.records());
  // Another node name is another seed.
  EXPECT_NE(
      run_generate(model,
                   {{"samples_per_prompt", 2}, {"max_new_tokens", 6}, {"generator_name", "tiny"}},
                   "other")
          .records(),
      outputs.records());
}

TEST(BestOfN, BestOfOneEqualsPlainGeneration) {
  auto model = tiny_model();
  const nlohmann::json decoding = {
      {"temperature", 1.0}, {"top_p", 0.9}, {"max_new_tokens", 8}, {"generator_name", "bon"}};
  const Dataset plain = run_generate(model, decoding);
  nlohmann::json best_params = decoding;
  best_params["n"] = 1;
  Dataset best = run_best_of_n(model, random_reward_model(), best_params);
  ASSERT_EQ(best.size(), plain.size());
  for (std::size_t row = 0; row < best.size(); ++row) {
    EXPECT_TRUE(best[row].contains("reward"));
    best.records()[row].erase("reward");
    EXPECT_EQ(best[row], plain[row]);
  }
}

TEST(BestOfN, KeepsTheHighestRewardSample) {
  auto model = tiny_model();
  auto reward = random_reward_model();
  const nlohmann::json decoding = {{"temperature", 1.0}, {"top_p", 0.9}, {"max_new_tokens", 8}};
  nlohmann::json plain_params = decoding;
  plain_params["samples_per_prompt"] = 4;
  const Dataset samples = run_generate(model, plain_params);
  nlohmann::json best_params = decoding;
  best_params["n"] = 4;
  const Dataset best = run_best_of_n(model, reward, best_params);
  ASSERT_EQ(best.size(), 3u);
  for (std::size_t row = 0; row < 3; ++row) {
    std::vector<InstructionPrompt> prompts;
    std::vector<std::string> responses;
    for (std::size_t s = 0; s < 4; ++s) {
      prompts.push_back({samples[row * 4 + s]["instruction"], samples[row * 4 + s]["input"]});
      responses.push_back(samples[row * 4 + s]["output"]);
    }
    const auto rewards = reward->score(prompts, responses);
    const auto winner = std::max_element(rewards.begin(), rewards.end()) - rewards.begin();
    EXPECT_EQ(best[row]["sample"], winner);
    EXPECT_EQ(best[row]["output"], responses[winner]);
    // Scored in other batches here, so equal up to float rounding.
    EXPECT_NEAR(best[row]["reward"].get<double>(), rewards[winner], 1e-5);
  }
}

TEST(BestOfN, RewardModelWithoutAHeadIsAClearError) {
  auto model = tiny_model();
  try {
    run_best_of_n(model, tiny_model(), {{"n", 2}});
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("input 'reward'"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("no reward head"), std::string::npos);
  }
}

TEST(Generate, MissingInstructionIsAClearError) {
  TempDir dir;
  Record row;
  row["prompt"] = "hello";
  TestNodeContext context("gen", params_with_defaults(generate_node_type(), {}), dir.path());
  context.add_input("model", tiny_model());
  context.add_input("prompts", std::make_shared<Dataset>(std::vector<Record>{row}));
  EXPECT_THROW(
      {
        try {
          context.run(generate_node_type());
        } catch (const Error& error) {
          EXPECT_STREQ(error.what(),
                       "node 'gen': input 'prompts' row 0 has no column 'instruction' (it has: "
                       "prompt)");
          throw;
        }
      },
      Error);
}

}  // namespace
}  // namespace paddock::learning
