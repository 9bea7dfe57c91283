// The `quark` node on a tiny model against a reward that needs no training (shorter is
// better): rounds raise the reward on held-out prompts, the reward tokens reach the tokenizer,
// the embedding and the saved prompt template, a resumed run ends with the same weights as an
// uninterrupted one, and bad parameters or inputs are named.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "node_harness.hpp"
#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/quark/quark_learner.hpp"
#include "paddock/report.hpp"
#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/transformer_model.hpp"
#include "test_support.hpp"
#include "tiny_policy.hpp"

namespace paddock::quark {
namespace {

using testing::TempDir;
using testing::TestNodeContext;
using transformer::TransformerModel;

using testing::BrevityReward;
using testing::tiny_policy;

std::shared_ptr<Dataset> prompts_of(const std::vector<std::string>& instructions) {
  auto data = std::make_shared<Dataset>();
  for (const std::string& instruction : instructions)
    data->add({{"instruction", instruction}, {"input", ""}});
  return data;
}

std::shared_ptr<Dataset> training_prompts() {
  return prompts_of({"one", "two", "cat", "dog", "see", "thee", "one two", "cat dog"});
}

nlohmann::json small_run(std::int64_t rounds) {
  return {{"rounds", rounds},          {"rollout_batch_size", 8}, {"step_batch_size", 8},
          {"steps_per_round", 2},      {"learning_rate", 3e-3},   {"warmup_steps", 0},
          {"max_new_tokens", 8},       {"kl_coefficient", 0.05},  {"checkpoint_every", 0},
          {"generation_batch_size", 8}};
}

void run_quark(TestNodeContext& context, const std::shared_ptr<TransformerModel>& policy) {
  context.add_input("policy", policy);
  context.add_input("reward", std::make_shared<BrevityReward>());
  context.add_input("prompts", training_prompts());
  context.run();
}

// The mean reward of a model's samples on prompts it never trained on, through its own
// prompt template (so a Quark model's reward token is used as every later node would).
double held_out_reward(TransformerModel& model, const std::string& token_override = "") {
  const std::vector<std::string> held_out = {"three", "eee", "two cat", "dog see", "thee one"};
  std::vector<std::string> texts;
  for (const std::string& instruction : held_out)
    texts.push_back(token_override.empty() ? model.format_prompt({instruction, ""})
                                           : token_override + instruction + ":");
  GenerationOptions options;
  options.max_new_tokens = 8;
  options.samples_per_prompt = 16;
  options.seed = 99;
  BrevityReward reward;
  double total = 0;
  std::size_t count = 0;
  for (const auto& samples : model.generate(texts, options)) {
    for (const Generation& sample : samples) {
      const std::vector<InstructionPrompt> prompt(1);
      total += reward.score(prompt, std::vector<std::string>{sample.text})[0];
      ++count;
    }
  }
  return total / static_cast<double>(count);
}

std::shared_ptr<TransformerModel> trained(const TestNodeContext& context) {
  return std::dynamic_pointer_cast<TransformerModel>(context.output<Model>("model"));
}

TEST(Quark, TopQuantileRoundsRaiseTheHeldOutReward) {
  TempDir dir;
  auto params = small_run(20);
  params["steps_per_round"] = 4;
  TestNodeContext context(quark_node_type(), params, dir.path());
  const auto policy = tiny_policy();
  const auto before = policy->decoder().weights().at("wte.weight").clone();
  run_quark(context, policy);
  const auto model = trained(context);
  ASSERT_TRUE(model);
  EXPECT_NE(model, policy);
  // The input is untouched; top_quantile adds no token and keeps the template.
  EXPECT_TRUE(torch::equal(policy->decoder().weights().at("wte.weight"), before));
  EXPECT_EQ(model->vocab_size(), policy->vocab_size());
  EXPECT_EQ(model->format_prompt({"x", ""}), "x:");
  const double start = held_out_reward(*policy), end = held_out_reward(*model);
  // Measured: -1.45 -> -0.41.
  EXPECT_GT(end, start + 0.5) << "held-out reward " << start << " -> " << end;
  // Per-step and per-round metrics.
  EXPECT_EQ(context.series("train/loss").size(), 80u);
  EXPECT_EQ(context.series("reward/proxy").size(), 20u);
  EXPECT_EQ(context.series("pool/size").back(), 160.0);
  const double best = context.last_metric("pool/reward_mean/q0");
  const double worst = context.last_metric("pool/reward_mean/q3");
  EXPECT_GT(best, worst);
  for (const char* key : {"train/nll", "train/kl", "train/entropy", "train/tokens_per_second"})
    EXPECT_TRUE(std::isfinite(context.last_metric(key))) << key;
  const auto report = context.output<Report>("report");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->content()["mode"], "top_quantile");
  EXPECT_EQ(report->content()["optimizer_steps"], 80);
}

TEST(Quark, AllQuantilesConditionsOnRewardTokensAndSavesTheBestOne) {
  TempDir dir;
  TestNodeContext context(
      quark_node_type(),
      [] {
        // Conditioning is slower to learn than the top quantile's cloning: more steps, a
        // looser KL leash.
        auto params = small_run(30);
        params["mode"] = "all_quantiles";
        params["steps_per_round"] = 16;
        params["step_batch_size"] = 16;
        params["learning_rate"] = 1e-2;
        params["kl_coefficient"] = 0.01;
        return params;
      }(),
      dir.path());
  const auto policy = tiny_policy();
  run_quark(context, policy);
  const auto model = trained(context);
  ASSERT_TRUE(model);

  // Four tokens reach the tokenizer; the embedding grew by four rows, which started at the
  // mean of the input's rows (the input is the untrained start).
  const std::int64_t vocabulary = policy->vocab_size();
  ASSERT_EQ(model->vocab_size(), vocabulary + 4);
  for (std::int64_t q = 0; q < 4; ++q) {
    EXPECT_EQ(model->tokenize("<|reward_" + std::to_string(q) + "|>"),
              (std::vector<std::int64_t>{vocabulary + q}));
  }
  auto start = policy->clone();
  auto grown = std::dynamic_pointer_cast<TransformerModel>(start);
  const auto mean_row = grown->decoder().weights().at("wte.weight").mean(0);
  grown->add_special_tokens({"<|reward_0|>", "<|reward_1|>", "<|reward_2|>", "<|reward_3|>"});
  for (std::int64_t q = 0; q < 4; ++q)
    EXPECT_TRUE(
        torch::allclose(grown->decoder().weights().at("wte.weight")[vocabulary + q], mean_row));

  // The saved model prompts with the best token, also after saving and loading.
  EXPECT_EQ(model->format_prompt({"x", ""}), "<|reward_0|>x:");
  EXPECT_EQ(model->format_prompt({"x", "y"}), "<|reward_0|>x (y):");
  model->save(dir / "saved");
  const auto loaded = TransformerModel::load(dir / "saved", torch::kCPU);
  EXPECT_EQ(loaded->format_prompt({"x", ""}), "<|reward_0|>x:");
  EXPECT_EQ(loaded->tokenize("<|reward_0|>x:").front(), vocabulary);
  // The reward token is special: it never shows in decoded text.
  EXPECT_EQ(loaded->detokenize({vocabulary, vocabulary + 3}), "");

  // Prompted (through its template) with the best token, the trained model beats the start
  // on held-out prompts, and beats itself prompted with the worst token. Measured: start
  // -1.45, best token -1.10, <|reward_1|> -1.33, worst token -1.60.
  const double before = held_out_reward(*policy), after = held_out_reward(*model);
  const double worst = held_out_reward(*model, "<|reward_3|>");
  EXPECT_GT(after, before + 0.2) << "held-out reward " << before << " -> " << after;
  EXPECT_GT(after, worst + 0.25) << "best token " << after << ", worst token " << worst;
  const auto report = context.output<Report>("report")->content();
  EXPECT_EQ(report["prompt_prefix"], "<|reward_0|>");
  EXPECT_EQ(report["reward_tokens"].size(), 4u);
}

TEST(Quark, ResumedRunEndsWithTheSameWeights) {
  TempDir uninterrupted_dir, resumed_dir;
  auto params = small_run(4);
  params["mode"] = "all_quantiles";
  params["checkpoint_every"] = 1;
  TestNodeContext uninterrupted(quark_node_type(), params, uninterrupted_dir.path());
  run_quark(uninterrupted, tiny_policy());

  params["stop_after_rounds"] = 2;
  TestNodeContext first(quark_node_type(), params, resumed_dir.path());
  EXPECT_THROW(run_quark(first, tiny_policy()), Error);
  TestNodeContext second(quark_node_type(), params, resumed_dir.path());
  run_quark(second, tiny_policy());
  EXPECT_NE(second.log_text().find("resuming from"), std::string::npos);

  const auto a = trained(uninterrupted), b = trained(second);
  ASSERT_TRUE(a && b);
  for (const auto& [name, tensor] : a->decoder().weights())
    EXPECT_TRUE(torch::equal(tensor, b->decoder().weights().at(name))) << name;
  EXPECT_EQ(uninterrupted.output<Report>("report")->content()["pool_size"],
            second.output<Report>("report")->content()["pool_size"]);
  EXPECT_EQ(second.series("reward/proxy").size(), 2u);  // only the rounds after the resume
}

TEST(Quark, NonFiniteLossStopsNamingTheStep) {
  auto params = small_run(3);
  params["learning_rate"] = 1e30;  // the first step ruins the weights
  {
    TempDir dir;
    TestNodeContext context(quark_node_type(), params, dir.path());
    try {
      run_quark(context, tiny_policy());
      FAIL();
    } catch (const Error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("is not finite at optimizer step 2 (round 1 of 3)"), std::string::npos)
          << message;
      EXPECT_NE(message.find("no checkpoint has been written yet"), std::string::npos) << message;
    }
  }
}

TEST(Quark, BadParametersAndInputsAreNamed) {
  TempDir dir;
  auto expect_error = [&](nlohmann::json params, const std::shared_ptr<Model>& reference,
                          const std::string& expected) {
    try {
      // A broken rule is refused with the parameters, as `paddock validate` refuses it.
      TestNodeContext context(quark_node_type(), params, dir.path());
      context.add_input("policy", tiny_policy());
      context.add_input("reward", std::make_shared<BrevityReward>());
      context.add_input("prompts", training_prompts());
      if (reference) context.add_input("reference", reference);
      context.run();
      FAIL() << expected;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
    }
  };
  auto params = small_run(1);
  params["rollout_batch_size"] = 3;
  expect_error(params, nullptr, "rollout_batch_size (3) must be at least quantiles (4)");
  params = small_run(1);
  params["max_new_tokens"] = 60;
  expect_error(params, nullptr, "exceed the model's 64 positions");
  auto other_vocabulary = tiny_policy();
  other_vocabulary->add_special_tokens({"<|extra|>"});
  expect_error(small_run(1), other_vocabulary, "the reference must share the policy's tokenizer");

  TestNodeContext headless(quark_node_type(), small_run(1), dir.path());
  headless.add_input("policy", tiny_policy());
  headless.add_input("reward", tiny_policy());  // a language model without a reward head
  headless.add_input("prompts", training_prompts());
  try {
    headless.run();
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("input 'reward'"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace paddock::quark
