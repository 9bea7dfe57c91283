// Gradient shards: the split rule; the shards' weighted gradients add up to the whole
// micro-batch's gradient; side by side on two threads they give the bits they give in turn
// on one; and an SFT run with shards ends with the same weights on one thread or two.
#include "paddock/learning/gradient_shards.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <limits>

#include "learner_test_support.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/learning/sequence_logprobs.hpp"
#include "paddock/learning/token_batch.hpp"
#include "paddock/learning/token_sequences.hpp"
#include "test_support.hpp"

namespace paddock::learning {
namespace {

using namespace testing;
using paddock::testing::TempDir;

std::vector<std::string> texts() {
  return {"one two three",
          "cat dog",
          "the answer is 5.",
          "eee see thee",
          "Add 2 and 3.",
          "blue",
          "Reverse the word cat.",
          "a longer text here",
          "one",
          "two three cat dog eee"};
}

struct Batch {
  std::shared_ptr<transformer::TransformerModel> model;
  std::vector<TokenSequence> sequences;
};

Batch tiny_batch() {
  Batch batch;
  batch.model = tiny_model();
  batch.model->set_training(true);  // the parameters need gradients, as in the trainer
  LanguageModel handle{batch.model, batch.model.get(), batch.model.get()};
  for (const std::string& text : texts()) batch.sequences.push_back(text_sequence(handle, text));
  return batch;
}

// The token-mean loss of `rows` and the number of target tokens it is a mean over.
std::pair<torch::Tensor, double> loss_of(Batch& batch, const std::vector<std::size_t>& rows) {
  std::vector<const TokenSequence*> picked;
  for (std::size_t row : rows) picked.push_back(&batch.sequences[row]);
  const TokenBatch tokens = make_token_batch(picked, batch.model->pad_token_id(),
                                             PaddingSide::right, batch.model->device());
  return {language_model_loss(*batch.model, tokens),
          shifted_target_mask(tokens).sum().item<double>()};
}

std::vector<std::size_t> all_rows(std::size_t count) {
  std::vector<std::size_t> rows(count);
  for (std::size_t i = 0; i < count; ++i) rows[i] = i;
  return rows;
}

// Sum over the shards of (units_k / all units) * gradient_k, as the trainer adds them.
std::vector<torch::Tensor> sharded_gradient(Batch& batch, const std::vector<std::size_t>& rows) {
  const std::size_t shards = gradient_shard_count(rows.size());
  std::vector<double> units(shards);
  const auto parameters = batch.model->parameters();
  const auto results = shard_gradients(shards, parameters, [&](std::size_t k) {
    auto [loss, count] = loss_of(batch, shard_rows(rows, shards, k));
    units[k] = count;
    return loss;
  });
  double all = 0.0;
  for (double count : units) all += count;
  for (const auto& parameter : parameters) {
    parameter.mutable_grad() = torch::Tensor();
  }
  for (std::size_t k = 0; k < shards; ++k)
    add_gradients(parameters, results[k].gradients, units[k] / all);
  std::vector<torch::Tensor> gradients;
  for (const auto& parameter : parameters) gradients.push_back(parameter.grad().clone());
  for (const auto& parameter : parameters) parameter.mutable_grad() = torch::Tensor();
  return gradients;
}

TEST(GradientShards, TwoShardsOnlyWhenEachKeepsFourRowsDealtInTurn) {
  EXPECT_EQ(gradient_shard_count(16), 2u);
  EXPECT_EQ(gradient_shard_count(8), 2u);
  EXPECT_EQ(gradient_shard_count(7), 1u);
  EXPECT_EQ(gradient_shard_count(1), 1u);
  const std::vector<std::size_t> rows = {9, 4, 7, 1, 3};
  EXPECT_EQ(shard_rows(rows, 2, 0), (std::vector<std::size_t>{9, 7, 3}));
  EXPECT_EQ(shard_rows(rows, 2, 1), (std::vector<std::size_t>{4, 1}));
}

TEST(GradientShards, WeightedShardGradientsAddUpToTheWholeBatchGradient) {
  Batch batch = tiny_batch();
  const auto rows = all_rows(batch.sequences.size());
  const auto sharded = sharded_gradient(batch, rows);

  const auto parameters = batch.model->parameters();
  loss_of(batch, rows).first.backward();
  std::size_t compared = 0;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].grad().defined()) continue;
    ASSERT_TRUE(sharded[i].defined()) << "parameter " << i;
    EXPECT_TRUE(torch::allclose(sharded[i], parameters[i].grad(), 1e-4, 1e-6))
        << "parameter " << i << ": largest difference "
        << (sharded[i] - parameters[i].grad()).abs().max().item<double>();
    ++compared;
  }
  EXPECT_GT(compared, 4u);
}

TEST(GradientShards, SideBySideGivesTheBitsThatTurnsOnOneThreadGive) {
  Batch batch = tiny_batch();
  const auto rows = all_rows(batch.sequences.size());
  torch::set_num_threads(1);
  const auto in_turn = sharded_gradient(batch, rows);
  torch::set_num_threads(2);
  const auto side_by_side = sharded_gradient(batch, rows);
  torch::set_num_threads(1);
  ASSERT_EQ(in_turn.size(), side_by_side.size());
  for (std::size_t i = 0; i < in_turn.size(); ++i)
    EXPECT_TRUE(torch::equal(in_turn[i], side_by_side[i])) << "parameter " << i;
}

TEST(GradientShards, AShardWithANonFiniteLossHasNoGradients) {
  Batch batch = tiny_batch();
  const auto parameters = batch.model->parameters();
  const auto results = shard_gradients(2, parameters, [&](std::size_t k) {
    const auto loss = loss_of(batch, {k}).first;
    return k == 1 ? loss * std::numeric_limits<float>::quiet_NaN() : loss;
  });
  EXPECT_TRUE(std::isfinite(results[0].loss));
  EXPECT_TRUE(results[0].gradients[0].defined());
  EXPECT_TRUE(std::isnan(results[1].loss));
  for (const auto& gradient : results[1].gradients) EXPECT_FALSE(gradient.defined());
}

// An SFT run whose steps are sharded ends with the same weights on one thread as on two.
TEST(GradientShards, ShardedSftEndsWithTheSameWeightsOnOneThreadOrTwo) {
  TempDir dir;
  auto model = tiny_model();
  std::vector<Record> rows;
  for (int i = 0; i < 16; ++i)
    rows.push_back(alpaca("Add " + std::to_string(i) + " and 3.",
                          " The answer is " + std::to_string(i + 3) + "."));
  const auto data = std::make_shared<Dataset>(std::move(rows));
  std::vector<std::vector<torch::Tensor>> weights;
  configure_torch_threads();  // once per process: the node's own call then changes nothing
  for (const char* threads : {"1", "2"}) {
    torch::set_num_threads(std::atoi(threads));
    TestNodeContext context(
        "sft",
        params_with_defaults(
            sft_node_type(),
            {{"epochs", 2}, {"batch_size", 8}, {"learning_rate", 1e-2}, {"checkpoint_every", 0}}),
        dir / threads);
    context.add_input("model", model);
    context.add_input("data", data);
    context.run(sft_node_type());
    weights.push_back(weights_of(*context.output<Model>("model")));
  }
  torch::set_num_threads(1);
  EXPECT_TRUE(bitwise_equal(weights[0], weights[1]));
  EXPECT_FALSE(bitwise_equal(weights[0], weights_of(*model)));  // it trained
}

}  // namespace
}  // namespace paddock::learning
