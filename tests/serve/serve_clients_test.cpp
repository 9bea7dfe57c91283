// Paddock's own API clients against `paddock serve`: the api_llm judge and the openai_model
// backend, over real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include <cstdlib>

#include "api_llm_annotator.hpp"
#include "api_llm_factory.hpp"
#include "node_harness.hpp"
#include "openai_model.hpp"
#include "paddock/core/plugin_registry.hpp"
#include "paddock/params.hpp"
#include "serve_fixture.hpp"
#include "test_support.hpp"

namespace paddock::serve::testing {
namespace {

using nlohmann::json;
using paddock::testing::TempDir;

GenerationOptions greedy(std::int64_t max_tokens) {
  GenerationOptions options;
  options.temperature = 0;
  options.max_new_tokens = max_tokens;
  return options;
}

class ServeClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  }
  TempDir dir_;
};

TEST_F(ServeClientsTest, ApiLlmJudgeGetsTheServedModelsGreedyAnswers) {
  ServedTinyModel served;
  paddock::testing::write_text(dir_ / "without.txt",
                               "{{system}}\nCompare two answers.\n{{user}}\n{{#examples}}\n"
                               "Q: {instruction}\n(a) {output_1}\n(b) {output_2}\n"
                               "{{/examples}}\nWhich is better?");
  paddock::testing::write_text(dir_ / "with.txt",
                               "{{#examples}}\nQ: {instruction} {input}\n(a) {output_1}\n"
                               "(b) {output_2}\n{{/examples}}\nBetter:");
  for (const std::string endpoint : {"chat", "completions"}) {
    json values = json::object();
    for (const auto& param : annotators::api_llm_params())
      if (!param.default_value.is_null()) values[param.name] = param.default_value;
    values["name"] = "served_judge_" + endpoint;
    values["model"] = kModelName;
    values["endpoint"] = endpoint;
    values["base_url"] = served.base_url();
    values["api_key_env"] = "none";
    values["temperature"] = 0.0;
    values["max_tokens"] = 12;
    values["batch_size"] = 2;
    values["template_with_input"] = (dir_ / "with.txt").string();
    values["template_without_input"] = (dir_ / "without.txt").string();
    values["parse_patterns"] = {"1:\\(a\\)", "2:\\(b\\)"};
    values["cache_file"] = (dir_ / ("cache_" + endpoint + ".jsonl")).string();
    values["concurrency"] = 4;
    values["timeout_seconds"] = 30.0;
    annotators::ApiLlmSetup setup;
    setup.work_dir = dir_.path();
    auto judge = std::dynamic_pointer_cast<annotators::ApiLlmAnnotator>(
        annotators::make_api_llm_annotator(Params(values), setup));
    ASSERT_TRUE(judge);

    std::vector<PreferencePair> pairs;
    for (int i = 0; i < 5; ++i) {
      PreferencePair pair;
      pair.instruction = "Add " + std::to_string(i) + " and 3.";
      pair.output_1 = "The answer is " + std::to_string(i + 3) + ".";
      pair.output_2 = "blue";
      pairs.push_back(pair);
    }
    const auto answers = judge->annotate(pairs);
    ASSERT_EQ(answers.size(), pairs.size());

    // What the served model answers to the batch of pairs 0 and 1, computed locally.
    const json body =
        json::parse(judge->request_body(std::vector<PreferencePair>{pairs[0], pairs[1]}, false));
    std::string prompt;
    if (endpoint == "chat") {
      prompt = make_tiny_model()->as<TextGenerator>()->format_prompt(
          {body["messages"][0]["content"].get<std::string>() + "\n\n" +
               body["messages"][1]["content"].get<std::string>(),
           ""});
    } else {
      prompt = body["prompt"];
    }
    const std::string expected =
        make_tiny_model()->as<TextGenerator>()->generate({prompt}, greedy(12))[0][0].text;
    EXPECT_EQ(answers[0].raw, expected) << endpoint;
    EXPECT_EQ(answers[1].raw, expected) << endpoint;

    const AnnotatorUsage usage = judge->usage();
    EXPECT_EQ(usage.requests, 3) << usage.details.dump();  // 5 pairs in batches of 2
    EXPECT_EQ(usage.details.value("failed_requests", -1), 0) << usage.details.dump();
    EXPECT_GT(usage.prompt_tokens, 0);
    EXPECT_GT(usage.completion_tokens, 0);

    // Cached: a second pass sends nothing.
    const auto calls = served.scheduler().counters().jobs;
    const auto again = judge->annotate(pairs);
    for (std::size_t i = 0; i < pairs.size(); ++i) EXPECT_EQ(again[i].raw, answers[i].raw);
    EXPECT_EQ(served.scheduler().counters().jobs, calls);
  }
}

openai_model::OpenAiModelConfig config_for(const ServedTinyModel& served, const TempDir& dir,
                                           const std::string& endpoint) {
  openai_model::OpenAiModelConfig config;
  config.model = kModelName;
  config.base_url = served.base_url();
  config.endpoint = endpoint;
  config.api_key_env = "";
  config.cache_file = dir / ("generations_" + endpoint + ".jsonl");
  config.retry.backoff_initial_seconds = 0.01;
  config.retry.timeout_seconds = 30;
  return config;
}

TEST_F(ServeClientsTest, OpenAiModelGivesTheSameGreedyTextAsTheModelLocally) {
  ServedTinyModel served;
  auto local = make_tiny_model();
  TextGenerator& local_generator = *local->as<TextGenerator>();
  const std::vector<InstructionPrompt> instructions = {
      {"Add 2 and 3.", ""}, {"Reverse the word cat.", ""}, {"Name a colour", "one word"}};

  // Completions: the prompt is the text the local model continues.
  openai_model::OpenAiModel remote(config_for(served, dir_, "completions"), nullptr);
  std::vector<std::string> prompts;
  for (const auto& instruction : instructions)
    prompts.push_back(local_generator.format_prompt(instruction));
  const auto expected = local_generator.generate(prompts, greedy(14));
  const auto answers = remote.generate(prompts, greedy(14));
  ASSERT_EQ(answers.size(), prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    ASSERT_EQ(answers[i].size(), 1u);
    EXPECT_EQ(answers[i][0].text, expected[i][0].text) << i;
    EXPECT_EQ(answers[i][0].finish_reason, expected[i][0].finish_reason) << i;
  }
  EXPECT_EQ(remote.usage()["requests"], 3);

  // Chat: the server applies the model's instruction template to the user message.
  openai_model::OpenAiModel chat(config_for(served, dir_, "chat"), nullptr);
  std::vector<std::string> user_messages;
  for (const auto& instruction : instructions)
    user_messages.push_back(chat.format_prompt({instruction.instruction, ""}));
  const auto chat_answers = chat.generate(user_messages, greedy(14));
  for (std::size_t i = 0; i < instructions.size(); ++i) {
    EXPECT_EQ(
        chat_answers[i][0].text,
        local_generator
            .generate({local_generator.format_prompt({user_messages[i], ""})}, greedy(14))[0][0]
            .text);
  }

  // Cached answers: the same call again sends nothing, also after a save and load.
  const auto jobs = served.scheduler().counters().jobs;
  EXPECT_EQ(remote.generate(prompts, greedy(14))[1][0].text, answers[1][0].text);
  remote.save(dir_ / "saved");
  auto loaded = openai_model::OpenAiModel::load(dir_ / "saved");
  EXPECT_EQ(loaded->generate(prompts, greedy(14))[2][0].text, answers[2][0].text);
  EXPECT_EQ(served.scheduler().counters().jobs, jobs);
  EXPECT_EQ(loaded->usage()["cache_hits"], 3);
}

TEST_F(ServeClientsTest, OpenAiModelSendsTheKeyAndNeverShowsIt) {
  ServeSetup setup;
  setup.handler.api_key = "sk-served-secret";
  ServedTinyModel served(setup);
  auto config = config_for(served, dir_, "completions");
  config.api_key_env = "PADDOCK_SERVE_TEST_KEY";
  config.retry.max_retries = 0;
  ::setenv("PADDOCK_SERVE_TEST_KEY", "sk-served-secret", 1);
  openai_model::OpenAiModel model(config, nullptr);
  EXPECT_EQ(model.generate({"hello"}, greedy(4)).size(), 1u);

  ::setenv("PADDOCK_SERVE_TEST_KEY", "sk-wrong-secret", 1);
  config.cache_file = dir_ / "other.jsonl";
  openai_model::OpenAiModel wrong(config, nullptr);
  try {
    wrong.generate({"hello"}, greedy(4));
    FAIL() << "a wrong key was accepted";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("401"), std::string::npos) << message;
    EXPECT_EQ(message.find("sk-wrong-secret"), std::string::npos) << message;
  }
}

TEST_F(ServeClientsTest, OpenAiModelNodeAndBackendFromThePlugin) {
  ServedTinyModel served;
  core::PluginRegistry registry;
  ASSERT_TRUE(registry.load_file(PADDOCK_OPENAI_MODEL_PLUGIN))
      << (registry.problems().empty() ? "" : registry.problems().front().message);
  const auto* node_type = registry.find_node_type("openai_model");
  ASSERT_NE(node_type, nullptr);
  paddock::testing::TestNodeContext context(node_type->spec,
                                            {{"model", kModelName},
                                             {"base_url", served.base_url()},
                                             {"api_key_env", "none"},
                                             {"endpoint", "completions"},
                                             {"template_without_input", "Q: {instruction}\nA:"}},
                                            dir_.path());
  context.run();
  auto model = context.output<Model>("model");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->backend(), "openai_model");
  auto* generator = model->as<TextGenerator>();
  ASSERT_NE(generator, nullptr);
  EXPECT_EQ(model->as<RequestGenerator>(), nullptr);
  const std::string prompt = generator->format_prompt({"Add 2 and 3.", ""});
  EXPECT_EQ(prompt, make_tiny_model()->as<TextGenerator>()->format_prompt({"Add 2 and 3.", ""}));
  const auto expected = make_tiny_model()->as<TextGenerator>()->generate({prompt}, greedy(10));
  EXPECT_EQ(generator->generate({prompt}, greedy(10))[0][0].text, expected[0][0].text);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "node" / "work" / "generations.jsonl"));

  // Saved and loaded back through the registered backend, as the executor does.
  model->save(dir_ / "saved");
  EXPECT_EQ(paddock::testing::read_text(dir_ / "saved" / "openai_model.json").find("sk-"),
            std::string::npos);
  const ModelBackendSpec* backend = registry.find_model_backend("openai_model");
  ASSERT_NE(backend, nullptr);
  auto loaded = backend->load(dir_ / "saved", "cpu");
  EXPECT_EQ(loaded->as<TextGenerator>()->generate({prompt}, greedy(10))[0][0].text,
            expected[0][0].text);
}

}  // namespace
}  // namespace paddock::serve::testing
