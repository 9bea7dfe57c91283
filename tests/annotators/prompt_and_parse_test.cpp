// Prompt templates (format, substitution without re-scanning, errors) and label parsing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>

#include "annotators_test_support.hpp"
#include "api_judge_config.hpp"
#include "label_parser.hpp"
#include "paddock/error.hpp"
#include "prompt_template.hpp"
#include "test_support.hpp"
#include "tiktoken_ranks.hpp"

namespace paddock::annotators {
namespace {

using testing::make_pair;

TEST(PromptTemplate, RendersSystemUserAndRepeatedExamples) {
  const auto prompt_template = PromptTemplate::parse(
      "{{! comment line }}\n{{system}}\nBe fair.\n{{user}}\nCompare {batch_size}:\n"
      "{{#examples}}\n[{index}] {instruction} | {output_1} | {output_2} {unknown}\n"
      "{{/examples}}\nDone {\"json\": true}\n",
      "t.txt");
  const std::vector<PreferencePair> examples = {make_pair("q1", "a {output_2}", "b"),
                                                make_pair("q2", "c", "d")};
  const RenderedPrompt prompt = prompt_template.render(examples);
  EXPECT_EQ(prompt.system, "Be fair.");
  EXPECT_EQ(prompt.user,
            "Compare 2:\n[1] q1 | a {output_2} | b {unknown}\n[2] q2 | c | d {unknown}\n"
            "Done {\"json\": true}");
  EXPECT_EQ(prompt.as_single_text(), "Be fair.\n\n" + prompt.user);
}

TEST(PromptTemplate, BrokenTemplatesAreRejectedWithTheirLine) {
  EXPECT_THROW(PromptTemplate::parse("no block here\n", "t.txt"), Error);
  EXPECT_THROW(PromptTemplate::parse("{{#examples}}\nx\n", "t.txt"), Error);
  try {
    PromptTemplate::parse("a\n{{/examples}}\n", "t.txt");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("t.txt:2:"), std::string::npos);
  }
}

// Every file an API judge reads must be a regular file: a FIFO would block the run forever.
TEST(JudgeFiles, FifosAreRefusedWhereverAJudgeReadsAFile) {
  paddock::testing::TempDir dir;
  const auto fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto error_of = [](const std::function<void()>& load) -> std::string {
    try {
      load();
    } catch (const Error& error) {
      return error.what();
    }
    return "no error";
  };
  for (const std::string& message :
       {error_of([&] { PromptTemplate::load(fifo); }), error_of([&] { TiktokenRanks::load(fifo); }),
        error_of([&] { load_judge_pool(fifo, nlohmann::json::object(), {}); })}) {
    EXPECT_NE(message.find("is a FIFO, not a regular file"), std::string::npos) << message;
  }
}

TEST(LabelParser, FindsLabelsInTextOrder) {
  const auto patterns = compile_label_patterns({"1:Output \\(a\\)", "2:Output \\(b\\)", "0:^Tie$"});
  EXPECT_EQ(find_labels("Output (b)\nOutput (a)\nTie\nOutput (b)", patterns),
            (std::vector<int>{2, 1, 0, 2}));
  EXPECT_TRUE(find_labels("no verdict", patterns).empty());
  const auto json = compile_label_patterns(
      {"1:\"output_1_is_better\":\\s*true", "2:\"output_1_is_better\":\\s*false"});
  EXPECT_EQ(find_labels(R"([{"output_1_is_better": false}, {"output_1_is_better":true}])", json),
            (std::vector<int>{2, 1}));
  EXPECT_THROW(compile_label_patterns({"Output (a)"}), Error);
  EXPECT_THROW(compile_label_patterns({"1:("}), Error);
}

TEST(LabelParser, LineAnchorsSeeTheTextBeforeTheScanPosition) {
  const auto patterns = compile_label_patterns({"1:^A$", "2:^B$"});
  EXPECT_EQ(find_labels("A\nB\nxA\nB", patterns), (std::vector<int>{1, 2, 2}));
}

TEST(LabelParser, EcmaScriptOnlySyntaxIsRefusedWithTheEngineNamed) {
  try {
    compile_label_patterns({"1:Output (?=a)"});
    FAIL() << "lookahead is not RE2 syntax";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("not a valid RE2 regular expression"),
              std::string::npos)
        << error.what();
  }
}

// Answers that overflowed the stack of the recursive std::regex under the shipped patterns
// (configs/annotators/api_judges.toml): about 50 KB of digits or spaces.
TEST(LabelParser, HugeRunsOfDigitsOrSpacesUnderTheShippedPatternsDoNotCrash) {
  const std::vector<std::vector<std::string>> shipped = {
      {"1:Case \\d+: *Output \\(a\\)", "2:Case \\d+: *Output \\(b\\)"},
      {"1:\"first_is_better\"\\s*:\\s*true", "2:\"first_is_better\"\\s*:\\s*false"},
      {"1:Verdict: *Output \\(a\\)", "2:Verdict: *Output \\(b\\)"},
      {"1:Output \\(a\\)", "2:Output \\(b\\)"}};
  const std::string digits(50000, '7'), spaces(50000, ' ');
  const std::vector<std::string> answers = {digits,
                                            spaces,
                                            "Case " + digits + ": Output (a)",
                                            "Case 1:" + spaces + "Output (b)",
                                            "\"first_is_better\"" + spaces + ":" + spaces + "true",
                                            "Verdict:" + spaces + "Output (a)",
                                            std::string(25000, '\n') + digits};
  for (const auto& specs : shipped) {
    const auto patterns = compile_label_patterns(specs);
    for (const std::string& answer : answers) {
      const auto labels = find_labels(answer, patterns);
      EXPECT_LE(labels.size(), 1u) << specs[0];
    }
  }
  EXPECT_EQ(find_labels("Case " + digits + ": Output (a)", compile_label_patterns(shipped[0])),
            (std::vector<int>{1}));
  EXPECT_EQ(find_labels("\"first_is_better\"" + spaces + ":" + spaces + "false",
                        compile_label_patterns(shipped[1])),
            (std::vector<int>{2}));
}

TEST(LabelParser, OverlongAnswersAreNotParsedAndLabelCountsAreBounded) {
  const auto patterns = compile_label_patterns({"1:Output \\(a\\)", "2:Output \\(b\\)"});
  std::string many;
  for (int i = 0; i < 20000; ++i) many += i % 3 ? "Output (a)\n" : "Output (b)\n";
  ASSERT_LE(many.size(), kMaxLabelledTextBytes);
  EXPECT_EQ(find_labels(many, patterns).size(), 20000u);
  EXPECT_EQ(find_labels(many, patterns, /*max_labels=*/5).size(), 6u);
  const std::string too_long = many + std::string(kMaxLabelledTextBytes, ' ') + "Output (a)";
  EXPECT_TRUE(find_labels(too_long, patterns).empty());
}

}  // namespace
}  // namespace paddock::annotators
