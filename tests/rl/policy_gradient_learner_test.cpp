// PPO, RLOO and GRPO on a tiny model against a reward for brevity: the reward rises while
// the KL to the reference stays bounded, and a resumed run ends with the same weights as an
// uninterrupted one.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "node_harness.hpp"
#include "paddock/dataset.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"
#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/transformer_model.hpp"
#include "test_support.hpp"
#include "tiny_policy.hpp"

namespace paddock::rl {
namespace {

using testing::TempDir;
using testing::TestNodeContext;
using transformer::TransformerModel;

using testing::BrevityReward;
using testing::tiny_policy;

std::shared_ptr<Dataset> prompts() {
  auto data = std::make_shared<Dataset>();
  for (const char* instruction : {"one", "two", "cat", "dog"}) {
    data->add({{"instruction", instruction}, {"input", ""}, {"output", "eee"}});
  }
  return data;
}

nlohmann::json small_run(std::int64_t steps) {
  return {{"steps", steps},
          {"rollout_batch_size", 8},
          {"step_batch_size", 8},
          {"learning_rate", 3e-3},
          {"warmup_steps", 0},
          {"max_new_tokens", 6},
          {"kl_coefficient", 0.05},
          {"eval_every", 0},
          {"checkpoint_every", 0},
          {"value_init", "policy"},
          // AlpacaFarm's whitening adds the same constant to every token's reward, and its
          // padding mode charges KL on padding: both pay for length under gamma = 1 (see
          // docs/learners.md), which a brevity reward should not fight.
          {"whiten_rewards", false},
          {"padding", "textbook"}};
}

std::vector<double> metric_series(const TestNodeContext& context, const std::string& key) {
  std::vector<double> series;
  for (const auto& [step, name, value] : context.metrics) {
    if (name == key) series.push_back(value);
  }
  return series;
}

double mean_of(const std::vector<double>& values, std::size_t from, std::size_t count) {
  double sum = 0;
  for (std::size_t i = from; i < from + count; ++i) sum += values[i];
  return sum / static_cast<double>(count);
}

void run_learner(TestNodeContext& context, const std::shared_ptr<TransformerModel>& policy) {
  context.add_input("policy", policy);
  context.add_input("reward", std::make_shared<BrevityReward>());
  context.add_input("prompts", prompts());
  context.run();
}

TEST(PolicyGradientLearner, PpoRaisesTheRewardWithBoundedKl) {
  TempDir dir;
  const NodeTypeDeclaration spec = ppo_node_type();
  TestNodeContext context(spec, small_run(30), dir.path());
  const auto policy = tiny_policy();
  const auto before = policy->decoder().weights().at("wte.weight").clone();
  run_learner(context, policy);
  const auto rewards = metric_series(context, "reward/proxy");
  ASSERT_EQ(rewards.size(), 30u);
  EXPECT_GT(mean_of(rewards, 25, 5), mean_of(rewards, 0, 5) + 0.2);
  for (double kl : metric_series(context, "objective/kl")) EXPECT_LT(std::abs(kl), 10.0);
  // The input policy is untouched; the output is a trained copy.
  EXPECT_TRUE(torch::equal(policy->decoder().weights().at("wte.weight"), before));
  ASSERT_NE(context.output<Model>("model"), nullptr);
  EXPECT_NE(context.output<Model>("model"), policy);
  const auto shares = metric_series(context, "time/generation_share");
  EXPECT_GT(shares.front(), 0.0);
  EXPECT_LT(shares.front(), 1.0);
}

TEST(PolicyGradientLearner, GroupRelativeLearnersRaiseTheReward) {
  for (const NodeTypeDeclaration& spec : {rloo_node_type(), grpo_node_type()}) {
    TempDir dir;
    nlohmann::json params = small_run(25);
    params.erase("value_init");
    params.erase("whiten_rewards");
    params.erase("padding");
    params["samples_per_prompt"] = 4;
    params["rollout_batch_size"] = 4;
    params["step_batch_size"] = 16;
    params["learning_rate"] = 1e-2;
    params["kl_coefficient"] = 0.01;
    TestNodeContext context(spec, params, dir.path());
    run_learner(context, tiny_policy());
    const auto rewards = metric_series(context, "reward/proxy");
    EXPECT_GT(mean_of(rewards, 20, 5), mean_of(rewards, 0, 5) + 0.15) << spec.spec.name;
  }
}

TEST(PolicyGradientLearner, ResumedRunEndsWithTheSameWeights) {
  TempDir uninterrupted_dir, resumed_dir;
  const NodeTypeDeclaration spec = ppo_node_type();
  nlohmann::json params = small_run(4);
  params["checkpoint_every"] = 1;
  TestNodeContext uninterrupted(spec, params, uninterrupted_dir.path());
  run_learner(uninterrupted, tiny_policy());

  params["stop_after_steps"] = 2;
  TestNodeContext first(spec, params, resumed_dir.path());
  EXPECT_THROW(run_learner(first, tiny_policy()), Error);
  TestNodeContext second(spec, params, resumed_dir.path());
  run_learner(second, tiny_policy());

  auto a = std::dynamic_pointer_cast<TransformerModel>(uninterrupted.output<Model>("model"));
  auto b = std::dynamic_pointer_cast<TransformerModel>(second.output<Model>("model"));
  ASSERT_TRUE(a && b);
  for (const auto& [name, tensor] : a->decoder().weights()) {
    EXPECT_TRUE(torch::equal(tensor, b->decoder().weights().at(name))) << name;
  }
}

// Minibatches of 8 rows run as two gradient shards, the rollouts as two chunks and the
// forward-only passes in chunks, side by side on two threads: two such runs end with the same
// weights, and so does a run on one thread, where the same pieces run in turn.
TEST(PolicyGradientLearner, ShardedStepsAreDeterministicSideBySide) {
  configure_torch_threads();  // once per process: the node's own call then changes nothing
  std::vector<std::shared_ptr<TransformerModel>> trained;
  for (const int threads : {2, 2, 1}) {
    TempDir dir;
    nlohmann::json params = small_run(3);
    params["rollout_batch_size"] = 16;  // two rollout chunks of step_batch_size 8
    TestNodeContext context(ppo_node_type(), params, dir.path());
    const auto policy = tiny_policy();
    torch::set_num_threads(threads);
    run_learner(context, policy);
    trained.push_back(std::dynamic_pointer_cast<TransformerModel>(context.output<Model>("model")));
    ASSERT_TRUE(trained.back());
  }
  torch::set_num_threads(1);
  const auto initial = testing::tiny_policy();
  bool moved = false;
  for (const auto& [name, tensor] : trained[0]->decoder().weights()) {
    EXPECT_TRUE(torch::equal(tensor, trained[1]->decoder().weights().at(name))) << name;
    EXPECT_TRUE(torch::equal(tensor, trained[2]->decoder().weights().at(name)))
        << name << " on one thread";
    moved = moved || !torch::equal(tensor, initial->decoder().weights().at(name));
  }
  EXPECT_TRUE(moved);
}

// Evaluation decodes eval_batch_size rows together; its samples (hence its proxy reward)
// and the training they sit between are the same whatever that is.
TEST(PolicyGradientLearner, EvaluationDoesNotDependOnItsBatchSize) {
  std::vector<std::vector<double>> rewards;
  std::vector<std::shared_ptr<TransformerModel>> models;
  for (const int eval_batch_size : {1, 3, 64}) {
    TempDir dir;
    nlohmann::json params = small_run(2);
    params["eval_every"] = 1;
    params["eval_rows"] = 0;
    params["eval_batch_size"] = eval_batch_size;
    TestNodeContext context(ppo_node_type(), params, dir.path());
    auto eval_prompts = std::make_shared<Dataset>();
    for (const char* instruction : {"one", "two", "cat", "dog", "sun", "sea", "red"})
      eval_prompts->add({{"instruction", instruction}, {"input", ""}, {"output", "eee"}});
    context.add_input("eval_prompts", eval_prompts);
    run_learner(context, tiny_policy());
    rewards.push_back(metric_series(context, "eval/proxy_reward"));
    models.push_back(std::dynamic_pointer_cast<TransformerModel>(context.output<Model>("model")));
  }
  ASSERT_EQ(rewards[0].size(), 3u);  // before the first step, after step 1, at the end
  for (std::size_t run = 1; run < rewards.size(); ++run) {
    for (std::size_t i = 0; i < rewards[0].size(); ++i)
      EXPECT_NEAR(rewards[run][i], rewards[0][i], 1e-9) << "run " << run << ", evaluation " << i;
    for (const auto& [name, tensor] : models[0]->decoder().weights())
      EXPECT_TRUE(torch::equal(tensor, models[run]->decoder().weights().at(name))) << name;
  }
}

// Cancels the node once it has written `steps` reward metrics (steps finished).
class CancelAfterSteps : public TestNodeContext {
 public:
  CancelAfterSteps(const NodeTypeDeclaration& type, const nlohmann::json& params,
                   std::filesystem::path directory, int steps)
      : TestNodeContext(type, params, std::move(directory)), steps_(steps) {}
  void metric(std::int64_t step, std::string_view key, double value) override {
    TestNodeContext::metric(step, key, value);
    if (key == "reward/proxy" && ++seen_ == steps_) cancel();
  }

 private:
  int steps_;
  int seen_ = 0;
};

// As every learner, PPO keeps a cancelled run's progress (checkpoint_every = 0 means "only
// when cancelled"), and the run resumed from it ends where an uninterrupted one does.
TEST(PolicyGradientLearner, ACancelledRunSavesAndResumesToTheUninterruptedWeights) {
  TempDir uninterrupted_dir, cancelled_dir;
  const NodeTypeDeclaration spec = ppo_node_type();
  const nlohmann::json params = small_run(4);  // checkpoint_every = 0
  TestNodeContext uninterrupted(spec, params, uninterrupted_dir.path());
  run_learner(uninterrupted, tiny_policy());

  CancelAfterSteps cancelled(spec, params, cancelled_dir.path(), 2);
  EXPECT_THROW(run_learner(cancelled, tiny_policy()), Cancelled);
  EXPECT_TRUE(
      std::filesystem::exists(cancelled_dir.path() / "node" / "work" / "checkpoints" / "step-2"));
  TestNodeContext resumed(spec, params, cancelled_dir.path());
  run_learner(resumed, tiny_policy());
  EXPECT_EQ(metric_series(resumed, "reward/proxy").size(), 2u);  // steps 3 and 4 only

  auto a = std::dynamic_pointer_cast<TransformerModel>(uninterrupted.output<Model>("model"));
  auto b = std::dynamic_pointer_cast<TransformerModel>(resumed.output<Model>("model"));
  ASSERT_TRUE(a && b);
  for (const auto& [name, tensor] : a->decoder().weights()) {
    EXPECT_TRUE(torch::equal(tensor, b->decoder().weights().at(name))) << name;
  }
}

TEST(PolicyGradientLearner, ParameterRulesAreCheckedBeforeRunning) {
  nlohmann::json params = small_run(1);
  params["step_batch_size"] = 9;  // more than the 8 rollouts of a step
  try {
    testing::params_with_defaults(ppo_node_type(), params);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("step_batch_size (9) exceeds the rollouts of a step"),
              std::string::npos)
        << error.what();
  }
  // rloo and grpo take 4 samples per prompt unless told otherwise: the same setting is valid.
  params.erase("value_init");
  params.erase("whiten_rewards");
  params.erase("padding");
  EXPECT_EQ(testing::params_with_defaults(rloo_node_type(), params)["samples_per_prompt"], 4);
}

TEST(PolicyGradientLearner, ReportsMissingRewardCapability) {
  TempDir dir;
  const NodeTypeDeclaration spec = ppo_node_type();
  TestNodeContext context(spec, small_run(1), dir.path());
  context.add_input("policy", tiny_policy());
  context.add_input("reward",
                    tiny_policy());  // no reward head: not a RewardScorer? it is one, but headless
  context.add_input("prompts", prompts());
  EXPECT_THROW(context.run(), Error);
}

}  // namespace
}  // namespace paddock::rl
