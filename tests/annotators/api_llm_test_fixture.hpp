// The fixture of the API judge tests: prompt templates in a temporary directory, the
// api_llm parameters pointing at a LoopbackServer on 127.0.0.1, a judge made from them, and
// pairs whose better output carries "GOOD" so the scripted server answers correctly.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "annotators_test_support.hpp"
#include "api_llm_factory.hpp"
#include "loopback_server.hpp"
#include "test_support.hpp"

namespace paddock::annotators::testing {

using paddock::testing::read_text;
using paddock::testing::TempDir;
using paddock::testing::write_text;

inline constexpr const char* kSecret = "sk-test-5ecret-do-not-leak";
inline constexpr const char* kKeyVariable = "PADDOCK_ANNOTATORS_TEST_KEY";

inline const char* const kTemplateWithout =
    "{{! a test template }}\n"
    "{{system}}\n"
    "You compare answers.\n"
    "{{user}}\n"
    "Judge {batch_size} examples.\n"
    "{{#examples}}\n"
    "## Example {index}\n"
    "Instruction: {instruction}\n"
    "A: {output_1}\n"
    "B: {output_2}\n"
    "{{/examples}}\n"
    "Answer one line per example: Output (a) or Output (b).\n";

inline const char* const kTemplateWith =
    "{{#examples}}\n"
    "## Example {index}\n"
    "Instruction: {instruction}\n"
    "Input: {input}\n"
    "A: {output_1}\n"
    "B: {output_2}\n"
    "{{/examples}}\n"
    "One line per example.\n";

class ApiLlmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv(kKeyVariable, kSecret, 1);
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    write_text(dir_ / "with.txt", kTemplateWith);
    write_text(dir_ / "without.txt", kTemplateWithout);
  }

  nlohmann::json params_for(const LoopbackServer& server, nlohmann::json overrides = {}) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& param : api_llm_params()) {
      if (!param.default_value.is_null()) values[param.name] = param.default_value;
    }
    values["name"] = "test_judge";
    values["model"] = "judge-model";
    values["base_url"] = server.base_url();
    values["api_key_env"] = kKeyVariable;
    values["template_with_input"] = (dir_ / "with.txt").string();
    values["template_without_input"] = (dir_ / "without.txt").string();
    values["parse_patterns"] = {"1:Output \\(a\\)", "2:Output \\(b\\)"};
    values["cache_file"] = (dir_ / "cache.jsonl").string();
    values["timeout_seconds"] = 5.0;
    values["backoff_initial_seconds"] = 0.01;
    values["backoff_max_seconds"] = 0.05;
    values["concurrency"] = 4;
    for (const auto& [key, value] : overrides.items()) values[key] = value;
    return values;
  }

  std::shared_ptr<Annotator> make(const LoopbackServer& server, nlohmann::json overrides = {}) {
    ApiLlmSetup setup;
    setup.work_dir = dir_.path();
    setup.seed = 11;
    setup.log = log_.logger;
    return make_api_llm_annotator(Params(params_for(server, std::move(overrides))), setup);
  }

  // Pairs where the GOOD output is output_1 on even rows, output_2 on odd rows.
  static std::vector<PreferencePair> pairs(std::size_t count, const std::string& tag = "") {
    std::vector<PreferencePair> out;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string good = "GOOD answer " + std::to_string(i) + tag;
      const std::string bad = "weak answer " + std::to_string(i) + tag;
      out.push_back(make_pair("Question " + std::to_string(i) + tag, i % 2 ? bad : good,
                              i % 2 ? good : bad, i % 3 == 0 ? "some input" : ""));
    }
    return out;
  }

  static void expect_correct(const std::vector<Annotation>& answers) {
    for (std::size_t i = 0; i < answers.size(); ++i) {
      ASSERT_TRUE(answers[i].preference.has_value()) << "row " << i << ": " << answers[i].raw;
      EXPECT_EQ(*answers[i].preference, i % 2 ? 2 : 1) << "row " << i;
    }
  }

  static std::size_t count_lines(const std::filesystem::path& file) {
    const std::string text = read_text(file);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }

  TempDir dir_;
  CapturedLog log_;
};

inline ScriptedResponse answer_correctly(std::size_t, const ReceivedRequest& request) {
  return {200, chat_response(scripted_labels(prompt_of(request.body)))};
}

}  // namespace paddock::annotators::testing
