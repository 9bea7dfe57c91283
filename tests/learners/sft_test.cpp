// The `sft` learner: the loss falls and a memorised answer comes back; the language-model
// objective; the input model is left untouched; a killed-and-resumed run ends bit for bit
// where an uninterrupted one does; the NaN guard; bad inputs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learner_test_support.hpp"
#include "paddock/error.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/sequence_logprobs.hpp"
#include "paddock/learning/supervised_training.hpp"
#include "paddock/learning/token_batch.hpp"
#include "paddock/learning/token_sequences.hpp"
#include "test_support.hpp"

namespace paddock::learning {
namespace {

using namespace testing;
using paddock::testing::read_text;
using paddock::testing::TempDir;

nlohmann::json sft_params(nlohmann::json overrides) {
  return params_with_defaults(sft_node_type(), std::move(overrides));
}

std::shared_ptr<Dataset> memorisation_set() {
  return std::make_shared<Dataset>(std::vector<Record>{
      alpaca("Reverse the word cat.", " tac"),
      alpaca("Add 2 and 3.", " The answer is 5."),
      alpaca("Name a colour.", " blue"),
  });
}

// The harness resolves parameters as the host does: a misspelt name is refused, and the
// learners' rules run before anything trains.
TEST(Sft, ParametersAreResolvedAsTheHostResolvesThem) {
  try {
    sft_params({{"epoch", 2}});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what())
                  .find("unknown parameter or input 'epoch' for node type "
                        "'sft'; did you mean 'epochs'?"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(sft_params({{"pack_length", 1}}), Error);  // a row needs two tokens
  EXPECT_EQ(sft_params({{"pack_length", 64}, {"objective", "language_model"}})["pack_length"], 64);
  EXPECT_EQ(sft_params({{"pack_length", 64}})["pack_length"], 64);  // instruction packing
  try {
    params_with_defaults(dpo_node_type(), {{"beta", 0.0}});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("parameter beta: beta must be above 0"),
              std::string::npos)
        << error.what();
  }
}

TEST(Sft, LossFallsAndTheModelReproducesAMemorisedAnswer) {
  TempDir dir;
  auto model = tiny_model();
  const auto before = weights_of(*model);
  TestNodeContext context("sft",
                          sft_params({{"epochs", 60},
                                      {"batch_size", 3},
                                      {"learning_rate", 1e-2},
                                      {"warmup_ratio", 0.0},
                                      {"checkpoint_every", 0}}),
                          dir.path());
  context.add_input("model", model);
  context.add_input("data", memorisation_set());
  context.add_input("val", memorisation_set());
  context.run(sft_node_type());

  const auto losses = context.series("train/loss");
  ASSERT_EQ(losses.size(), 60u);
  EXPECT_LT(losses.back(), losses.front() / 10);
  const auto validation = context.series("val/loss");
  ASSERT_EQ(validation.size(), 60u);
  EXPECT_LT(validation.back(), validation.front());
  EXPECT_EQ(context.series("train/lr").size(), 60u);
  EXPECT_FALSE(context.series("train/tokens_per_second").empty());
  EXPECT_TRUE(bitwise_equal(weights_of(*model), before)) << "the input model was changed";

  auto trained = context.output<transformer::TransformerModel>("model");
  ASSERT_TRUE(trained);
  GenerationOptions greedy;
  greedy.temperature = 0;
  greedy.max_new_tokens = 10;
  const auto answer =
      trained->generate({trained->format_prompt({"Reverse the word cat.", ""})}, greedy)[0][0];
  EXPECT_EQ(answer.text, " tac");
  EXPECT_EQ(answer.finish_reason, "stop");  // EOS was learned too
}

TEST(Sft, LanguageModelObjectiveTrainsOnTextColumns) {
  TempDir dir;
  Record text;
  text["text"] = "hello world, hello paddock";
  TestNodeContext context("pretrain",
                          sft_params({{"epochs", 15},
                                      {"batch_size", 1},
                                      {"learning_rate", 1e-2},
                                      {"warmup_ratio", 0.0},
                                      {"objective", "language_model"}}),
                          dir.path());
  context.add_input("model", tiny_model());
  context.add_input("data", std::make_shared<Dataset>(std::vector<Record>{text}));
  context.run(sft_node_type());
  const auto losses = context.series("train/loss");
  ASSERT_EQ(losses.size(), 15u);
  EXPECT_LT(losses.back(), losses.front() / 2);
}

TEST(Sft, MeanTargetTokensCountsWhatTheLossCovers) {
  // Targets run from prompt_length on but never include the first token: 3, 4 (not 5) and 0.
  const std::vector<TokenSequence> sequences = {
      {{1, 2, 3, 4, 5}, 2}, {{1, 2, 3, 4, 5}, 0}, {{1, 2}, 2}};
  EXPECT_DOUBLE_EQ(mean_target_tokens(sequences), 7.0 / 3.0);
  EXPECT_DOUBLE_EQ(mean_target_tokens({}), 0.0);
}

TEST(Sft, PackingFillsRowsAcrossDocumentsAndDropsALoneLastToken) {
  const std::vector<TokenSequence> documents = {{{1, 2, 3}, 1}, {{4, 5}, 0}, {{6, 7, 8, 9, 10}, 2}};
  const auto rows = pack_sequences(documents, 4);
  ASSERT_EQ(rows.size(), 3u);  // 1-4 and 5-8 full, then 9 10 as a short last row
  EXPECT_EQ(rows[0].ids, (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(rows[1].ids, (std::vector<std::int64_t>{5, 6, 7, 8}));
  EXPECT_EQ(rows[2].ids, (std::vector<std::int64_t>{9, 10}));
  for (const TokenSequence& row : rows) EXPECT_EQ(row.prompt_length, 0);  // all targets
  // Rows of 3: 1-3, 4-6, 7-9; the lone 10 has nothing to predict and is dropped.
  EXPECT_EQ(pack_sequences(documents, 3).size(), 3u);
  EXPECT_THROW(pack_sequences(documents, 1), Error);
}

TEST(Sft, InstructionPackingKeepsExamplesWholeWithTheirOwnPromptMasks) {
  const std::vector<TokenSequence> examples = {
      {{1, 2, 3}, 1}, {{4, 5}, 1}, {{6, 7, 8, 9, 10}, 2}, {{11, 12, 13, 14, 15, 16, 17}, 3}};
  const auto rows = pack_documents(examples, 6);
  ASSERT_EQ(rows.size(), 3u);  // 3 + 2 fit in 6; 5 alone; 7 is longer than a row: alone
  EXPECT_EQ(rows[0].ids, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  ASSERT_EQ(rows[0].documents.size(), 2u);
  EXPECT_EQ(rows[0].documents[1].start, 3);
  EXPECT_EQ(rows[0].documents[1].prompt_length, 1);
  EXPECT_EQ(rows[2].ids.size(), 7u);
  // Targets: 2 + 1 in row 0 (each example's own prompt, never its first token), 3, 4.
  EXPECT_EQ(target_token_count(rows[0]), 3);
  EXPECT_EQ(target_token_count(rows[1]), 3);
  EXPECT_EQ(target_token_count(rows[2]), 4);
  std::int64_t unpacked = 0;
  for (const TokenSequence& example : examples) unpacked += target_token_count(example);
  EXPECT_EQ(unpacked, 10);
  EXPECT_THROW(pack_documents(rows, 6), Error);  // packing packed rows
}

// The loss of packed rows equals the loss of the same examples one per padded row: packing
// changes how many rows a step computes, never what it learns from.
TEST(Sft, PackedInstructionRowsGiveTheUnpackedLossAndTokenLogprobs) {
  auto model = tiny_model();
  CausalLanguageModel* tensors = model.get();
  LanguageModel language_model{model, tensors, model.get()};
  std::vector<TokenSequence> examples;
  for (int i = 0; i < 9; ++i) {
    examples.push_back(instruction_sequence(
        language_model, {"Add " + std::to_string(i) + " and " + std::to_string(i * 7), ""},
        std::string(static_cast<std::size_t>(1 + (i % 4) * 15), 'x') + " done", true));
  }
  std::vector<const TokenSequence*> each;
  for (const TokenSequence& example : examples) each.push_back(&example);
  const TokenBatch padded =
      make_token_batch(each, tensors->pad_token_id(), PaddingSide::right, tensors->device());
  const auto rows = pack_documents(examples, 64);
  ASSERT_LT(rows.size(), examples.size());
  std::vector<const TokenSequence*> packed_rows;
  for (const TokenSequence& row : rows) packed_rows.push_back(&row);
  const TokenBatch packed =
      make_token_batch(packed_rows, tensors->pad_token_id(), PaddingSide::right, tensors->device());
  EXPECT_EQ(packed.target_tokens, padded.target_tokens);
  EXPECT_EQ(packed.tokens, padded.tokens);
  EXPECT_LT(packed.ids.numel(), padded.ids.numel());
  torch::NoGradGuard no_grad;
  EXPECT_NEAR(language_model_loss(*tensors, packed).item<double>(),
              language_model_loss(*tensors, padded).item<double>(), 1e-5);
  // Token by token: the packed targets' log-probs, in order, are the padded ones'.
  const auto pick = [&](const TokenBatch& batch) {
    const auto values = token_logprobs(*tensors, batch);
    return values.masked_select(shifted_target_mask(batch) > 0);
  };
  EXPECT_LT((pick(packed) - pick(padded)).abs().max().item<double>(), 1e-5);
  // The fused target-only loss is the per-token log-probabilities' mean.
  EXPECT_NEAR(language_model_loss(*tensors, padded).item<double>(),
              -pick(padded).sum().item<double>() / static_cast<double>(padded.target_tokens), 1e-5);
}

// token_logprobs applies the language-model head at target positions only; its values and
// gradients are those of the head over every position, masked afterwards.
TEST(Sft, TargetOnlyHeadGivesTheFullHeadsLogprobsAndGradients) {
  auto model = tiny_model();
  model->set_training(true);
  LanguageModel language_model{model, model.get(), model.get()};
  std::vector<TokenSequence> examples;
  for (int i = 0; i < 5; ++i) {
    examples.push_back(instruction_sequence(
        language_model, {"Name " + std::to_string(i * 3), i % 2 ? "with input" : ""},
        std::string(static_cast<std::size_t>(2 + i * 9), 'y') + " end", true));
  }
  std::vector<const TokenSequence*> each;
  for (const TokenSequence& example : examples) each.push_back(&example);
  const TokenBatch batch =
      make_token_batch(each, model->pad_token_id(), PaddingSide::right, model->device());
  ASSERT_LT(batch.target_tokens, batch.tokens);  // prompts and padding are skipped
  const auto parameters = model->parameters();
  const auto gradients_of = [&](const torch::Tensor& values) {
    return torch::autograd::grad({values.sum()}, parameters, {}, false, false, true);
  };

  const auto target_only = token_logprobs(*model, batch);
  const std::int64_t steps = batch.ids.size(1);
  const auto hidden = model->hidden_states(batch.ids, batch.attention_mask);
  const auto full = torch::log_softmax(model->lm_logits(hidden.narrow(1, 0, steps - 1)), -1)
                        .gather(-1, batch.ids.narrow(1, 1, steps - 1).unsqueeze(-1))
                        .squeeze(-1) *
                    shifted_target_mask(batch);
  ASSERT_EQ(target_only.sizes(), full.sizes());
  EXPECT_LT((target_only - full).abs().max().item<double>(), 1e-5);
  EXPECT_EQ((target_only != 0).sum().item<std::int64_t>(), batch.target_tokens);
  const auto want = gradients_of(full), got = gradients_of(target_only);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    ASSERT_EQ(want[i].defined(), got[i].defined()) << i;
    if (want[i].defined()) EXPECT_TRUE(torch::allclose(got[i], want[i], 1e-4, 1e-6)) << i;
  }
}

TEST(Sft, PackedLanguageModelTrainingUsesFullRows) {
  TempDir dir;
  std::vector<Record> documents;
  for (int i = 0; i < 12; ++i) {
    Record text;
    text["text"] = "document " + std::to_string(i) + " says hello";
    documents.push_back(text);
  }
  TestNodeContext context("pretrain",
                          sft_params({{"epochs", 1},
                                      {"batch_size", 1},
                                      {"warmup_ratio", 0.0},
                                      {"objective", "language_model"},
                                      {"pack_length", 32}}),
                          dir.path());
  context.add_input("model", tiny_model());
  context.add_input("data", std::make_shared<Dataset>(documents));
  context.run(sft_node_type());
  // Fewer rows than documents: one optimizer step per packed row.
  const auto steps = context.series("train/loss").size();
  EXPECT_GT(steps, 0u);
  EXPECT_LT(steps, documents.size());
}

std::shared_ptr<Dataset> resume_set() {
  std::vector<Record> rows;
  for (int i = 0; i < 11; ++i)
    rows.push_back(alpaca("Add " + std::to_string(i) + " and 3.",
                          " The answer is " + std::to_string(i + 3) + "."));
  return std::make_shared<Dataset>(std::move(rows));
}

nlohmann::json resume_params(int stop_after, bool group_by_length = false) {
  // 11 rows, 2 x 2 per step: 3 steps an epoch (the last short), 6 in all; checkpoints at 2, 4.
  return sft_params({{"epochs", 2},
                     {"batch_size", 2},
                     {"gradient_accumulation", 2},
                     {"learning_rate", 1e-3},
                     {"warmup_ratio", 0.2},
                     {"weight_decay", 0.1},
                     {"max_grad_norm", 0.5},
                     {"checkpoint_every", 2},
                     {"stop_after_steps", stop_after},
                     {"group_by_length", group_by_length}});
}

class SftResume : public ::testing::TestWithParam<bool> {};

TEST_P(SftResume, ResumedRunEndsBitForBitWhereAnUninterruptedOneDoes) {
  const bool grouped = GetParam();
  TempDir dir;
  auto model = tiny_model();
  const auto data = resume_set();

  TestNodeContext uninterrupted("sft", resume_params(0, grouped), dir / "straight");
  uninterrupted.add_input("model", model);
  uninterrupted.add_input("data", data);
  uninterrupted.run(sft_node_type());
  const auto expected = weights_of(*uninterrupted.output<Model>("model"));

  // A run killed after step 3 (its last checkpoint is step 2) ...
  {
    TestNodeContext killed("sft", resume_params(3, grouped), dir / "resumed");
    killed.add_input("model", model);
    killed.add_input("data", data);
    try {
      killed.run(sft_node_type());
      FAIL() << "stop_after_steps did not stop the run";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("stopped after 3"), std::string::npos)
          << error.what();
    }
  }
  const auto checkpoints = dir / "resumed" / "checkpoints";
  EXPECT_EQ(read_text(checkpoints / "latest"), "step-2\n");
  for (const char* file : {"model/config.json", "model/paddock_model.json", "parameters.pt",
                           "optimizer.pt", "rng.txt", "state.json"})
    EXPECT_TRUE(std::filesystem::exists(checkpoints / "step-2" / file)) << file;
  const auto state = nlohmann::json::parse(read_text(checkpoints / "step-2" / "state.json"));
  EXPECT_EQ(state["optimizer_step"], 2);
  EXPECT_EQ(state["epoch"], 0);
  EXPECT_EQ(state["index_in_epoch"], 8);

  // ... then run again in a fresh process (a fresh context) with the same work directory.
  TestNodeContext resumed("sft", resume_params(3, grouped), dir / "resumed");
  resumed.add_input("model", model);
  resumed.add_input("data", data);
  resumed.run(sft_node_type());
  EXPECT_EQ(resumed.series("train/loss").size(), 4u);  // steps 3 to 6
  EXPECT_TRUE(bitwise_equal(weights_of(*resumed.output<Model>("model")), expected));

  if (grouped) {  // the grouping took effect: the other order ends elsewhere
    TestNodeContext ungrouped("sft", resume_params(0, false), dir / "ungrouped");
    ungrouped.add_input("model", model);
    ungrouped.add_input("data", data);
    ungrouped.run(sft_node_type());
    EXPECT_FALSE(bitwise_equal(weights_of(*ungrouped.output<Model>("model")), expected));
  }
}

INSTANTIATE_TEST_SUITE_P(EpochOrders, SftResume, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "grouped" : "permuted"; });

TEST(Sft, CancellationWritesACheckpointAndStops) {
  TempDir dir;
  TestNodeContext context("sft", resume_params(0), dir.path());
  context.add_input("model", tiny_model());
  context.add_input("data", resume_set());
  context.cancel();
  EXPECT_THROW(context.run(sft_node_type()), Cancelled);
}

TEST(Sft, NonFiniteLossNamesTheStepAndTheLastGoodCheckpoint) {
  TempDir dir;
  // A learning rate this large sends the weights to infinity on the first step.
  TestNodeContext context("sft",
                          sft_params({{"epochs", 3},
                                      {"batch_size", 3},
                                      {"learning_rate", 1e36},
                                      {"warmup_ratio", 0.0},
                                      {"max_grad_norm", 0.0},
                                      {"checkpoint_every", 1}}),
                          dir.path());
  context.add_input("model", tiny_model());
  context.add_input("data", memorisation_set());
  try {
    context.run(sft_node_type());
    FAIL() << "a non-finite loss went unnoticed";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("at optimizer step 2 of 3"), std::string::npos) << message;
    EXPECT_NE(message.find("step-1"), std::string::npos) << message;
    EXPECT_NE(message.find("on_nan"), std::string::npos) << message;
  }
}

TEST(Sft, SkipPolicyDropsNonFiniteSteps) {
  TempDir dir;
  TestNodeContext context("sft",
                          sft_params({{"epochs", 3},
                                      {"batch_size", 3},
                                      {"learning_rate", 1e36},
                                      {"warmup_ratio", 0.0},
                                      {"max_grad_norm", 0.0},
                                      {"on_nan", "skip"}}),
                          dir.path());
  context.add_input("model", tiny_model());
  context.add_input("data", memorisation_set());
  context.run(sft_node_type());
  EXPECT_EQ(context.series("train/skipped_steps"), (std::vector<double>{1, 2}));
  EXPECT_TRUE(context.output<Model>("model"));
}

TEST(Sft, MissingColumnIsAClearError) {
  TempDir dir;
  Record broken;
  broken["instruction"] = "Add 2 and 3.";
  broken["response"] = "5";
  TestNodeContext context("sft", sft_params({}), dir.path());
  context.add_input("model", tiny_model());
  context.add_input("data", std::make_shared<Dataset>(std::vector<Record>{
                                alpaca("Reverse the word cat.", " tac"), broken}));
  try {
    context.run(sft_node_type());
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 "node 'sft': input 'data' row 1 has no column 'output' (it has: instruction, "
                 "response)");
  }
}

TEST(Sft, TooLongRecordsAreCutOrDropped) {
  TempDir dir;
  std::string long_output;
  for (int i = 0; i < 40; ++i) long_output += " hello world";
  for (const std::string truncation : {"cut", "drop"}) {
    TestNodeContext context(
        "sft",
        sft_params(
            {{"epochs", 1}, {"batch_size", 1}, {"max_length", 48}, {"truncation", truncation}}),
        dir / truncation);
    context.add_input("model", tiny_model());
    context.add_input(
        "data", std::make_shared<Dataset>(std::vector<Record>{
                    alpaca("Reverse the word cat.", " tac"), alpaca("Say hello.", long_output)}));
    context.run(sft_node_type());
    // One step per row: two when the long row is cut, one when it is dropped.
    EXPECT_EQ(context.series("train/loss").size(), truncation == "cut" ? 2u : 1u);
  }
}

}  // namespace
}  // namespace paddock::learning
