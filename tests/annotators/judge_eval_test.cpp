// Judge evaluation: agreement with reference labels (rows and majority), the bias columns,
// and the judge_eval node's report.
#include <gtest/gtest.h>

#include "annotator_nodes.hpp"
#include "annotators_test_support.hpp"
#include "judge_evaluation.hpp"
#include "paddock/dataset.hpp"
#include "paddock/report.hpp"
#include "test_support.hpp"
#include "text_features.hpp"

namespace paddock::annotators {
namespace {

using namespace testing;
using paddock::testing::TempDir;

TEST(TextFeatures, ListsAndLengths) {
  EXPECT_TRUE(looks_like_list("Steps:\n1. mix\n2. bake"));
  EXPECT_TRUE(looks_like_list("- a\n  - b"));
  EXPECT_FALSE(looks_like_list("- only one item"));
  EXPECT_FALSE(looks_like_list("In 2024. we met"));
  EXPECT_EQ(count_code_points("caf\xc3\xa9"), 4u);
}

TEST(JudgeEvaluation, AgreementAndBiasesAreExact) {
  // Four pairs; pair 0 has three reference labels (1, 1, 2), the rest one each.
  const std::vector<PreferencePair> pairs = {
      make_pair("q0", "short", "much longer"), make_pair("q1", "- a\n- b", "plain text here"),
      make_pair("q2", "same size", "also same"), make_pair("q3", "x", "yyyy")};
  std::vector<ReferenceRow> rows = {{pairs[0], 1}, {pairs[0], 1}, {pairs[0], 2},
                                    {pairs[1], 1}, {pairs[2], 0}, {pairs[3], 2}};
  const std::vector<std::size_t> pair_of_row = {0, 0, 0, 1, 2, 3};
  const std::vector<std::optional<int>> judged = {1, 2, 1, std::nullopt};
  const JudgeEvaluation result = evaluate_judge(rows, pairs, pair_of_row, judged);
  EXPECT_EQ(result.n_parsed, 3u);
  // Rows of judged pairs: 1=1 (1), 1=1 (1), 1 vs 2 (0), 2 vs 1 (0), 1 vs tie (0.5).
  EXPECT_DOUBLE_EQ(*result.agreement, 2.5 / 5);
  // Majorities: pair 0 -> 1 (agree), pair 1 -> 1 (disagree), pair 2 -> tie (0.5).
  EXPECT_DOUBLE_EQ(*result.agreement_with_majority, 1.5 / 3);
  // Judge: first position chosen on pairs 0 and 2 of 3.
  EXPECT_DOUBLE_EQ(*result.judge.prefer_first, 2.0 / 3);
  // Lengths differ on pairs 0 (longer = 2, judge 1) and 1 (longer = 2, judge 2); pair 2 ties
  // in length? "same size" (9) vs "also same" (9): equal, excluded.
  EXPECT_EQ(result.judge.n_length_differs, 2u);
  EXPECT_DOUBLE_EQ(*result.judge.prefer_longer, 0.5);
  // Exactly one list only in pair 1 (output_1); the judge chose 2.
  EXPECT_DOUBLE_EQ(*result.judge.prefer_lists, 0.0);
  // Reference: 6 rows, first = 1+1+0+1+0.5+0 = 3.5.
  EXPECT_DOUBLE_EQ(*result.reference.prefer_first, 3.5 / 6);
}

TEST(JudgeEvalNode, ReportsTheLeaderboardColumns) {
  TempDir dir;
  auto reference = std::make_shared<Dataset>();
  for (int i = 0; i < 20; ++i) {
    const std::string longer = "a longer answer number " + std::to_string(i);
    const std::string shorter = "short " + std::to_string(i);
    const bool flip = i % 2;
    reference->add({{"instruction", "q" + std::to_string(i)},
                    {"input", ""},
                    {"output_1", flip ? longer : shorter},
                    {"output_2", flip ? shorter : longer},
                    {"preference", i < 15 ? (flip ? 1 : 2) : (flip ? 2 : 1)}});
  }
  reference->add(
      {{"instruction", "q_none"}, {"output_1", "a"}, {"output_2", "b"}, {"preference", nullptr}});
  auto judge = std::make_shared<FunctionJudge>("longer", [](const PreferencePair& pair) {
    return pair.output_2.size() > pair.output_1.size() ? 2 : 1;
  });
  TestNodeContext node(judge_eval_node_type(), {{"batch_size", 7}}, dir.path());
  node.add_input("judge", judge);
  node.add_input("reference", reference);
  node.run();
  const auto report = node.output<Report>("report")->content();
  EXPECT_EQ(report["judge"], "longer");
  EXPECT_EQ(report["n_reference_rows"], 20);
  EXPECT_EQ(report["n_parsed"], 20);
  EXPECT_DOUBLE_EQ(report["human_agreement"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(report["prefer_longer"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(report["prefer_first"].get<double>(), 0.5);
  EXPECT_TRUE(report["prefer_lists"].is_null());
  EXPECT_TRUE(report["price_per_1000"].is_null());
  EXPECT_TRUE(report["time_per_1000"].is_number());
  EXPECT_DOUBLE_EQ(report["reference_biases"]["prefer_longer"].get<double>(), 0.75);
  EXPECT_EQ(judge->asked, 20u);
}

}  // namespace
}  // namespace paddock::annotators
