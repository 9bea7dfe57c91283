// The `dpo` learner: training raises the chosen-minus-rejected log-probability margin over
// the reference, with the sigmoid and the IPO loss, with and without cached reference
// log-probabilities (which give the same weights up to float rounding), and an explicit
// reference input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learner_test_support.hpp"
#include "paddock/error.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/preference_sequences.hpp"
#include "paddock/learning/sequence_logprobs.hpp"
#include "paddock/report.hpp"
#include "test_support.hpp"

namespace paddock::learning {
namespace {

using namespace testing;
using paddock::testing::TempDir;

std::shared_ptr<Dataset> yes_no_pairs() {
  std::vector<Record> rows;
  const std::vector<std::string> topics = {"the sea", "a dog", "the sky",
                                           "a tree",  "a car", "the sun"};
  for (std::size_t i = 0; i < topics.size(); ++i) {
    const std::string chosen = " yes, " + topics[i] + " is fine";
    const std::string rejected = " no";
    const bool chosen_first = i % 2 == 0;
    rows.push_back(preference("Is " + topics[i] + " fine?", chosen_first ? chosen : rejected,
                              chosen_first ? rejected : chosen, chosen_first ? 1 : 2));
  }
  return std::make_shared<Dataset>(std::move(rows));
}

// Mean over the pairs of log p(chosen) - log p(rejected) under `model`.
double mean_margin(transformer::TransformerModel& model, const Dataset& pairs) {
  torch::NoGradGuard no_grad;
  LanguageModel handle{nullptr, &model, &model};
  double total = 0;
  for (const Record& row : pairs.records()) {
    const int label = row["preference"];
    const InstructionPrompt prompt{row["instruction"], row["input"]};
    const TokenSequence chosen =
        instruction_sequence(handle, prompt, row[label == 1 ? "output_1" : "output_2"], true);
    const TokenSequence rejected =
        instruction_sequence(handle, prompt, row[label == 1 ? "output_2" : "output_1"], true);
    const TokenBatch batch = make_token_batch({&chosen, &rejected}, model.pad_token_id(),
                                              PaddingSide::right, torch::kCPU);
    const auto logprobs = summed_logprobs(model, batch);
    total += (logprobs[0] - logprobs[1]).item<double>();
  }
  return total / static_cast<double>(pairs.size());
}

struct DpoRun {
  std::shared_ptr<transformer::TransformerModel> model;
  nlohmann::ordered_json report;
  std::vector<double> margins;
};

DpoRun run_dpo(std::shared_ptr<Model> model, nlohmann::json params,
               std::shared_ptr<Model> reference = nullptr) {
  TempDir dir;
  TestNodeContext context("dpo", params_with_defaults(dpo_node_type(), std::move(params)),
                          dir.path());
  context.add_input("model", std::move(model));
  if (reference) context.add_input("reference", std::move(reference));
  context.add_input("pairs", yes_no_pairs());
  context.run(dpo_node_type());
  return {context.output<transformer::TransformerModel>("model"),
          context.output<Report>("report")->content(), context.series("train/reward_margin")};
}

const nlohmann::json kShortRun = {
    {"epochs", 6}, {"batch_size", 3}, {"learning_rate", 1e-3}, {"warmup_ratio", 0.0}};

TEST(Dpo, RaisesTheChosenMinusRejectedMargin) {
  auto model = tiny_model({"yes, the sea is fine", "no", "Is a dog fine?"});
  const double before = mean_margin(*model, *yes_no_pairs());
  const DpoRun run = run_dpo(model, kShortRun);
  const double after = mean_margin(*run.model, *yes_no_pairs());
  EXPECT_GT(after, before + 1.0) << "before " << before << ", after " << after;
  EXPECT_GT(run.report["reward_margin"].get<double>(), 0.1) << run.report.dump();
  EXPECT_DOUBLE_EQ(run.report["reward_accuracy"].get<double>(), 1.0);
  EXPECT_EQ(run.report["pairs"], 6);
  ASSERT_EQ(run.margins.size(), 12u);
  EXPECT_NEAR(run.margins.front(), 0.0, 1e-4);  // the policy starts as the reference
  EXPECT_GT(run.margins.back(), run.margins.front());
  EXPECT_NEAR(mean_margin(*model, *yes_no_pairs()), before, 0.0) << "the input was changed";
}

// Both sides of a pair read behind one pass over their prompt give the summed and mean
// log-probabilities, and gradients, of each side read alone; a side cut to its prompt has
// none.
TEST(Dpo, PairLogprobsBehindTheSharedPromptEqualEachSideAlone) {
  auto model = tiny_model({"yes, the sea is fine", "no", "Is a dog fine?"});
  model->set_training(true);
  LanguageModel handle{nullptr, model.get(), model.get()};
  std::vector<TokenPair> pairs;
  const auto data = yes_no_pairs();
  for (const Record& row : data->records()) {
    const InstructionPrompt prompt{row["instruction"], row["input"]};
    pairs.push_back({instruction_sequence(handle, prompt, row["output_1"], true),
                     instruction_sequence(handle, prompt, row["output_2"], true)});
  }
  pairs.back().rejected.ids.resize(static_cast<std::size_t>(pairs.back().rejected.prompt_length));
  const std::vector<std::size_t> rows = {4, 0, 5, 2};
  const auto parameters = model->parameters();
  const auto gradients_of = [&](const torch::Tensor& loss) {
    for (const torch::Tensor& parameter : parameters) parameter.mutable_grad() = torch::Tensor();
    loss.backward();
    std::vector<torch::Tensor> gradients;
    for (const torch::Tensor& parameter : parameters) gradients.push_back(parameter.grad().clone());
    return gradients;
  };
  for (const bool mean : {false, true}) {
    const auto [chosen, rejected] = pair_logprobs(*model, pairs, rows, mean);
    const auto packed_gradients = gradients_of((chosen - 2 * rejected).sum());
    std::vector<torch::Tensor> alone_chosen, alone_rejected;
    for (const std::size_t row : rows) {
      for (const bool first : {true, false}) {
        const TokenSequence& side = first ? pairs[row].chosen : pairs[row].rejected;
        const TokenBatch batch =
            make_token_batch({&side}, model->pad_token_id(), PaddingSide::right, torch::kCPU);
        (first ? alone_chosen : alone_rejected)
            .push_back(mean ? mean_logprobs(*model, batch) : summed_logprobs(*model, batch));
      }
    }
    const auto expected_chosen = torch::cat(alone_chosen),
               expected_rejected = torch::cat(alone_rejected);
    const auto alone_gradients = gradients_of((expected_chosen - 2 * expected_rejected).sum());
    EXPECT_LT((chosen - expected_chosen).abs().max().item<double>(), 1e-4) << "mean " << mean;
    EXPECT_LT((rejected - expected_rejected).abs().max().item<double>(), 1e-4) << "mean " << mean;
    EXPECT_EQ(rejected[2].item<double>(), 0.0) << "the side cut to its prompt";
    for (std::size_t k = 0; k < parameters.size(); ++k) {
      const double scale = 1.0 + alone_gradients[k].abs().max().item<double>();
      EXPECT_LT((packed_gradients[k] - alone_gradients[k]).abs().max().item<double>(), 1e-4 * scale)
          << "parameter " << k << ", mean " << mean;
    }
  }
}

TEST(Dpo, CachedReferenceLogprobsGiveTheSameWeights) {
  auto model = tiny_model();
  nlohmann::json cached = kShortRun, live = kShortRun;
  cached["epochs"] = live["epochs"] = 2;
  cached["precompute_reference"] = true;
  live["precompute_reference"] = false;
  // The cache is computed in other batches than the training steps, so the two may differ in
  // the last bits of a log-probability, not more.
  const auto with_cache = weights_of(*run_dpo(model, cached).model);
  const auto without = weights_of(*run_dpo(model, live).model);
  ASSERT_EQ(with_cache.size(), without.size());
  for (std::size_t i = 0; i < without.size(); ++i)
    EXPECT_TRUE(torch::allclose(with_cache[i], without[i], /*rtol=*/1e-4, /*atol=*/1e-5)) << i;
}

TEST(Dpo, IpoLossAndAnExplicitReferenceAlsoRaiseTheMargin) {
  auto model = tiny_model();
  auto reference = std::dynamic_pointer_cast<transformer::TransformerModel>(model->clone());
  nlohmann::json params = kShortRun;
  params["loss"] = "ipo";
  const DpoRun run = run_dpo(model, params, reference);
  EXPECT_GT(run.report["reward_margin"].get<double>(), 0.0) << run.report.dump();
}

TEST(Dpo, ResumedRunWithCachedReferenceEndsBitForBitWhereAnUninterruptedOneDoes) {
  TempDir dir;
  auto model = tiny_model();
  const auto run = [&](const std::string& work, int stop_after) {
    nlohmann::json params = kShortRun;
    params["epochs"] = 2;
    params["batch_size"] = 2;
    params["checkpoint_every"] = 2;
    params["stop_after_steps"] = stop_after;
    TestNodeContext context("dpo", params_with_defaults(dpo_node_type(), params), dir / work);
    context.add_input("model", model);
    context.add_input("pairs", yes_no_pairs());
    context.run(dpo_node_type());
    return weights_of(*context.output<Model>("model"));
  };
  const auto expected = run("straight", 0);
  EXPECT_THROW(run("resumed", 3), Error);  // 6 steps in all; killed after 3, checkpoint at 2
  EXPECT_TRUE(std::filesystem::exists(dir / "resumed" / "reference_logprobs.pt"));
  EXPECT_TRUE(bitwise_equal(run("resumed", 3), expected));
}

}  // namespace
}  // namespace paddock::learning
