// The `expert_iteration` learner: rounds of best-of-n and fine-tuning from `start`, the
// cached winners and finished rounds that a re-run reuses, and untouched inputs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learner_test_support.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "test_support.hpp"

namespace paddock::learning {
namespace {

using namespace testing;
using paddock::testing::TempDir;

TEST(ExpertIteration, RoundsOfBestOfNThenFineTuningFromStart) {
  TempDir dir;
  auto policy = tiny_model();
  auto start = tiny_model({}, /*seed=*/6);
  auto reward = tiny_model({}, /*seed=*/7);
  reward->add_reward_head();
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(1);
    reward->parameters().back().normal_();  // score.weight
  }
  const auto start_weights = weights_of(*start);
  auto prompts = std::make_shared<Dataset>(std::vector<Record>{alpaca("Add 2 and 3.", ""),
                                                               alpaca("Reverse the word cat.", ""),
                                                               alpaca("Name a colour.", "")});
  const nlohmann::json params =
      params_with_defaults(expert_iteration_node_type(), {{"n", 3},
                                                          {"rounds", 2},
                                                          {"max_new_tokens", 6},
                                                          {"epochs", 1},
                                                          {"batch_size", 3},
                                                          {"learning_rate", 1e-3}});
  const auto run = [&] {
    TestNodeContext context("ei", params, dir.path());
    context.add_input("model", policy);
    context.add_input("reward", reward);
    context.add_input("prompts", prompts);
    context.add_input("start", start);
    context.run(expert_iteration_node_type());
    return std::make_pair(context.output<Model>("model"), context.output<Dataset>("winners"));
  };
  const auto [model, winners] = run();
  ASSERT_TRUE(model && winners);
  ASSERT_EQ(winners->size(), 3u);
  EXPECT_TRUE((*winners)[0].contains("reward"));
  for (const char* round : {"round-1", "round-2"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / round / "winners.jsonl")) << round;
    EXPECT_TRUE(std::filesystem::exists(dir / round / "final" / "parameters.pt")) << round;
  }
  EXPECT_TRUE(bitwise_equal(weights_of(*start), start_weights)) << "`start` was changed";
  EXPECT_FALSE(bitwise_equal(weights_of(*model), start_weights));

  // Running again reuses the finished rounds and gives the same model.
  const auto [again, again_winners] = run();
  EXPECT_TRUE(bitwise_equal(weights_of(*again), weights_of(*model)));
  EXPECT_EQ(again_winners->records(), winners->records());
}

}  // namespace
}  // namespace paddock::learning
