// The `reward_model` learner: held-out accuracy on an easy synthetic preference set, the
// report's metrics, skipped ties and unannotated rows, and clear errors for bad rows.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learner_test_support.hpp"
#include "paddock/error.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/random.hpp"
#include "paddock/report.hpp"
#include "test_support.hpp"

namespace paddock::learning {
namespace {

using namespace testing;
using paddock::testing::TempDir;

const std::vector<std::string> kFillers = {"the red box", "a small dog",  "two green apples",
                                           "one old car", "the blue sea", "a tall tree"};

// Preferred outputs end in "excellent", the others in "poor"; which side wins is random.
std::shared_ptr<Dataset> marker_pairs(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Record> rows;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string topic = kFillers[uniform_below(rng, kFillers.size())];
    const std::string good =
        "Here is " + kFillers[uniform_below(rng, kFillers.size())] + ", it is excellent";
    const std::string bad =
        "Here is " + kFillers[uniform_below(rng, kFillers.size())] + ", it is poor";
    const bool good_first = bernoulli(rng, 0.5);
    rows.push_back(preference("Describe " + topic + ".", good_first ? good : bad,
                              good_first ? bad : good, good_first ? 1 : 2));
  }
  return std::make_shared<Dataset>(std::move(rows));
}

std::vector<std::string> marker_corpus() {
  std::vector<std::string> corpus = {"Here is, it is excellent", "it is poor", "Describe"};
  corpus.insert(corpus.end(), kFillers.begin(), kFillers.end());
  return corpus;
}

nlohmann::json reward_params(nlohmann::json overrides) {
  return params_with_defaults(reward_model_node_type(), std::move(overrides));
}

TEST(RewardModel, ReachesHighHeldOutAccuracyOnAnEasySet) {
  TempDir dir;
  auto data = marker_pairs(100, 3);
  // Rows the learner must skip: a tie and two unannotated ones.
  data->add(preference("Describe a cat.", "it is poor", "it is poor", 0));
  data->add(preference("Describe a dog.", "it is poor", "it is excellent", nullptr));
  data->add(preference("Describe a fox.", "it is poor", "it is excellent", std::nan("")));
  TestNodeContext context("rm",
                          reward_params({{"epochs", 4},
                                         {"batch_size", 8},
                                         {"learning_rate", 2e-3},
                                         {"warmup_ratio", 0.0},
                                         {"eval_pairs", 30}}),
                          dir.path());
  auto model = tiny_model(marker_corpus());
  context.add_input("model", model);
  context.add_input("pairs", data);
  context.run(reward_model_node_type());

  const auto report = context.output<Report>("report");
  ASSERT_TRUE(report);
  const auto& content = report->content();
  EXPECT_EQ(content["held_out_pairs"], 30);
  EXPECT_EQ(content["train_pairs"], 70);
  EXPECT_EQ(content["skipped"]["ties"], 1);
  EXPECT_EQ(content["skipped"]["unannotated"], 2);
  EXPECT_GT(content["accuracy"].get<double>(), 0.9) << content.dump();
  EXPECT_GT(content["true_positive_rate"].get<double>(), 0.8);
  EXPECT_LT(content["false_positive_rate"].get<double>(), 0.2);
  const double positives = content["label_positive_rate"];
  EXPECT_GT(positives, 0.0);
  EXPECT_LT(positives, 1.0);
  EXPECT_EQ(context.series("eval/accuracy").size(), 4u);

  // The output scores through RewardScorer; the input model gained no head.
  auto trained = context.output<transformer::TransformerModel>("model");
  ASSERT_TRUE(trained && trained->has_reward_head());
  EXPECT_FALSE(model->has_reward_head());
  const std::vector<InstructionPrompt> prompts = {{"Describe a small dog.", ""},
                                                  {"Describe a small dog.", ""}};
  const std::vector<std::string> responses = {"Here is a small dog, it is excellent",
                                              "Here is a small dog, it is poor"};
  const auto rewards = trained->score(prompts, responses);
  EXPECT_GT(rewards[0], rewards[1]);
}

// Four samples per prompt, two good and two poor, paired as a derangement (a,b), (b,c),
// (c,d), (d,a): every pair compares a good with a poor one, every sample is in two pairs.
std::shared_ptr<Dataset> derangement_pairs(std::size_t prompts, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Record> rows;
  for (std::size_t p = 0; p < prompts; ++p) {
    const std::string prompt =
        "Describe " + kFillers[p % kFillers.size()] + " " + std::to_string(p) + ".";
    std::vector<std::string> samples;
    for (int k = 0; k < 4; ++k) {
      samples.push_back("Here is " + kFillers[uniform_below(rng, kFillers.size())] +
                        (k % 2 == 0 ? ", it is excellent" : ", it is poor"));
    }
    for (int k = 0; k < 4; ++k) {
      const std::string& first = samples[static_cast<std::size_t>(k)];
      const std::string& second = samples[static_cast<std::size_t>((k + 1) % 4)];
      rows.push_back(preference(prompt, first, second, k % 2 == 0 ? 1 : 2));
    }
  }
  return std::make_shared<Dataset>(std::move(rows));
}

// batch_by_prompt: a micro-batch takes whole prompts (about batch_size pairs), and the model
// learns the preference as it does from shuffled pairs.
TEST(RewardModel, BatchByPromptTakesWholePromptsAndLearns) {
  TempDir dir;
  TestNodeContext context("rm",
                          reward_params({{"epochs", 4},
                                         {"batch_size", 6},
                                         {"learning_rate", 2e-3},
                                         {"warmup_ratio", 0.0},
                                         {"eval_pairs", 0},
                                         {"batch_by_prompt", true}}),
                          dir.path());
  context.add_input("model", tiny_model(marker_corpus()));
  context.add_input("pairs", derangement_pairs(30, 4));
  context.run(reward_model_node_type());
  // 120 pairs of 30 prompts: 2 prompts (8 pairs, the nearest to 6) per micro-batch, so 15
  // steps per epoch where shuffled pairs take 20.
  EXPECT_EQ(context.series("train/loss").size(), 60u);
  EXPECT_EQ(context.output<Report>("report")->content()["train_pairs"], 120);
  auto trained = context.output<transformer::TransformerModel>("model");
  const std::vector<InstructionPrompt> prompts = {{"Describe a small dog.", ""},
                                                  {"Describe a small dog.", ""}};
  const std::vector<std::string> responses = {"Here is a small dog, it is excellent",
                                              "Here is a small dog, it is poor"};
  const auto rewards = trained->score(prompts, responses);
  EXPECT_GT(rewards[0], rewards[1] + 0.5);
}

TEST(RewardModel, PreferenceOutOfRangeIsAClearError) {
  TempDir dir;
  auto data = marker_pairs(6, 1);
  data->add(preference("Describe a cat.", "a", "b", 3));
  TestNodeContext context("rm", reward_params({}), dir.path());
  context.add_input("model", tiny_model());
  context.add_input("pairs", data);
  try {
    context.run(reward_model_node_type());
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 "node 'rm': input 'pairs' row 6: preference 3 is not 1 (output_1 better), 2 "
                 "(output_2 better), 0 (tie) or null (unannotated)");
  }
}

TEST(RewardModel, MissingOutputColumnIsAClearError) {
  TempDir dir;
  Record row = preference("Describe a cat.", "a", "b", 1);
  row.erase("output_2");
  TestNodeContext context("rm", reward_params({}), dir.path());
  context.add_input("model", tiny_model());
  context.add_input("pairs", std::make_shared<Dataset>(std::vector<Record>{row}));
  try {
    context.run(reward_model_node_type());
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("row 0 has no column 'output_2'"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace paddock::learning
