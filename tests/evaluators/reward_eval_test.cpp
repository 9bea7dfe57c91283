// `reward_eval`: AlpacaFarm's reward-model metrics, by hand and through the node with a fake
// reward model; a model without the RewardScorer capability is refused clearly.
#include <gtest/gtest.h>

#include <algorithm>

#include "evaluator_nodes.hpp"
#include "node_harness.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/dataset.hpp"
#include "paddock/model.hpp"
#include "paddock/report.hpp"
#include "reward_metrics.hpp"
#include "test_support.hpp"

namespace paddock::evaluators {
namespace {

using testing::TempDir;
using testing::TestNodeContext;

TEST(RewardMetrics, MatchAlpacaFarmsDefinitions) {
  // Predictions (logit >= 0): 1 0 1 1 0 against labels 1 0 0 0 1.
  const std::vector<double> logits{1, -1, 0, 2, -3};
  const std::vector<int> labels{1, 0, 0, 0, 1};
  const RewardModelMetrics metrics = compute_reward_model_metrics(logits, labels);
  EXPECT_DOUBLE_EQ(metrics.accuracy, 0.4);
  EXPECT_DOUBLE_EQ(metrics.label_positive_rate, 0.4);
  EXPECT_DOUBLE_EQ(metrics.positive_rate, 0.6);
  EXPECT_DOUBLE_EQ(*metrics.true_positive_rate, 0.5);
  EXPECT_DOUBLE_EQ(*metrics.false_positive_rate, 2.0 / 3.0);
  EXPECT_EQ(metrics.n, 5);
  const std::vector<double> one_logit{1};
  const std::vector<int> one_negative{0};
  EXPECT_FALSE(compute_reward_model_metrics(one_logit, one_negative).true_positive_rate);
}

// Rewards the number of '+' characters in a response; counts the calls.
class PlusCountingModel : public Model, public RewardScorer {
 public:
  std::string backend() const override { return "fake"; }
  std::vector<std::string> capabilities() const override { return {"reward"}; }
  void save(const std::filesystem::path&) const override {}
  std::vector<double> score(std::span<const InstructionPrompt> prompts,
                            std::span<const std::string> responses) override {
    ++calls;
    EXPECT_EQ(prompts.size(), responses.size());
    std::vector<double> rewards;
    for (const auto& response : responses) {
      rewards.push_back(static_cast<double>(std::count(response.begin(), response.end(), '+')));
    }
    return rewards;
  }
  int calls = 0;
};

class GenerateOnlyModel : public Model {
 public:
  std::string backend() const override { return "remote-api"; }
  std::vector<std::string> capabilities() const override { return {"generate"}; }
  void save(const std::filesystem::path&) const override {}
};

Record pair(const std::string& first, const std::string& second,
            nlohmann::ordered_json preference) {
  return Record{{"instruction", "say something"},
                {"input", ""},
                {"output_1", first},
                {"output_2", second},
                {"preference", std::move(preference)}};
}

TEST(RewardEvalNode, ScoresPairsWithTheRewardModel) {
  auto pairs = std::make_shared<Dataset>();
  pairs->add(pair("+", "++", 2));       // logit 1, label 1: true positive
  pairs->add(pair("++", "+", 1));       // logit -1, label 0: true negative
  pairs->add(pair("+", "+", 1.0));      // logit 0, label 0: false positive
  pairs->add(pair("+", "+++", 1));      // logit 2, label 0: false positive
  pairs->add(pair("+++", "", 2.0));     // logit -3, label 1: false negative
  pairs->add(pair("a", "b", 0));        // a tie: skipped
  pairs->add(pair("a", "b", nullptr));  // unlabelled: skipped
  auto model = std::make_shared<PlusCountingModel>();
  TempDir dir;
  const NodeTypeSpec spec = reward_eval_node_type();
  TestNodeContext context(spec, {{"batch_size", 2}}, dir.path());
  context.add_input("model", model);
  context.add_input("pairs", pairs);
  context.run();
  EXPECT_EQ(model->calls, 3);  // 5 usable pairs in batches of 2
  const auto report = context.output<Report>("report")->content();
  EXPECT_DOUBLE_EQ(report["accuracy"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(report["label_positive_rate"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(report["positive_rate"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(report["true_positive_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(report["false_positive_rate"].get<double>(), 2.0 / 3.0);
  EXPECT_EQ(report["n"], 5);
  EXPECT_EQ(report["n_skipped"], 2);
  EXPECT_EQ(report["model_backend"], "fake");
}

TEST(RewardEvalNode, RefusesAModelThatCannotScore) {
  auto pairs = std::make_shared<Dataset>();
  pairs->add(pair("a", "b", 1));
  TempDir dir;
  const NodeTypeSpec spec = reward_eval_node_type();
  TestNodeContext context(spec, {}, dir.path());
  context.add_input("model", std::make_shared<GenerateOnlyModel>());
  context.add_input("pairs", pairs);
  try {
    context.run();
    FAIL() << "expected an error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("cannot score rewards"), std::string::npos) << message;
    EXPECT_NE(message.find("remote-api"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace paddock::evaluators
