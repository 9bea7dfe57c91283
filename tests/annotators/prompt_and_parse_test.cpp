// Prompt templates (format, substitution without re-scanning, errors) and label parsing.
#include <gtest/gtest.h>

#include "annotators_test_support.hpp"
#include "label_parser.hpp"
#include "paddock/error.hpp"
#include "prompt_template.hpp"

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

}  // namespace
}  // namespace paddock::annotators
