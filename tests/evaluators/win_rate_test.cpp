// Win rates from known preference vectors, and the `win_rate` node end to end: the join on
// (instruction, input), the pair orientation, metadata, batching, unannotated and unmatched
// rows, and the annotations Dataset.
#include <gtest/gtest.h>

#include <map>

#include "evaluator_nodes.hpp"
#include "node_harness.hpp"
#include "paddock/annotator.hpp"
#include "paddock/dataset.hpp"
#include "paddock/report.hpp"
#include "test_support.hpp"
#include "win_rate_statistics.hpp"

namespace paddock::evaluators {
namespace {

using testing::TempDir;
using testing::TestNodeContext;

TEST(WinRate, KnownPreferencesGiveExactWinRateAndStandardError) {
  // Scores 1, 1, 0, 0.5 (the unannotated row is left out): mean 0.625, SE 0.2393567769...
  const std::vector<std::optional<int>> preferences{2, 2, 1, 0, std::nullopt};
  const WinRateSummary summary = summarize_preferences(preferences);
  EXPECT_DOUBLE_EQ(summary.win_rate, 62.5);
  ASSERT_TRUE(summary.standard_error.has_value());
  EXPECT_NEAR(*summary.standard_error, 23.935677693908453, 1e-12);
  EXPECT_EQ(summary.n_wins, 2);
  EXPECT_EQ(summary.n_wins_base, 1);
  EXPECT_EQ(summary.n_draws, 1);
  EXPECT_EQ(summary.n_total, 4);
  EXPECT_EQ(summary.n_unannotated, 1);
}

TEST(WinRate, TiesCountHalf) {
  const std::vector<std::optional<int>> all_ties{0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(summarize_preferences(all_ties).win_rate, 50.0);
  EXPECT_DOUBLE_EQ(*summarize_preferences(all_ties).standard_error, 0.0);
  // One win, one tie, two losses: (1 + 0.5) / 4 = 37.5 %. Scores 1, 0.5, 0, 0: mean 0.375,
  // squared deviations 0.390625 + 0.015625 + 0.140625 * 2 = 0.6875, SE = sqrt(0.6875/3/4).
  const std::vector<std::optional<int>> mixed{2, 0, 1, 1};
  EXPECT_DOUBLE_EQ(summarize_preferences(mixed).win_rate, 37.5);
  EXPECT_NEAR(*summarize_preferences(mixed).standard_error, 23.935677693908453, 1e-12);
}

TEST(WinRate, UnannotatedRowsAreExcludedAndCounted) {
  const std::vector<std::optional<int>> preferences{2, std::nullopt, std::nullopt, 1};
  const WinRateSummary summary = summarize_preferences(preferences);
  EXPECT_DOUBLE_EQ(summary.win_rate, 50.0);
  EXPECT_EQ(summary.n_total, 2);
  EXPECT_EQ(summary.n_unannotated, 2);
  // Scores 1 and 0: SD sqrt(0.5), SE sqrt(0.5 / 2) = 0.5.
  EXPECT_DOUBLE_EQ(*summary.standard_error, 50.0);

  const std::vector<std::optional<int>> nothing{std::nullopt};
  EXPECT_DOUBLE_EQ(summarize_preferences(nothing).win_rate, 0.0);
  EXPECT_FALSE(summarize_preferences(nothing).standard_error.has_value());
}

TEST(WinRate, RejectsPreferencesOutsideTheConvention) {
  EXPECT_THROW(preference_score(3), Error);
  EXPECT_THROW(preference_score(-1), Error);
}

// A judge whose answers are scripted by instruction; it records what it was given.
class ScriptedJudge : public Annotator {
 public:
  explicit ScriptedJudge(std::map<std::string, std::optional<int>> answers)
      : answers_(std::move(answers)) {}
  std::string name() const override { return "scripted"; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override {
    batch_sizes.push_back(pairs.size());
    std::vector<Annotation> result;
    for (const auto& pair : pairs) {
      seen.push_back(pair);
      result.push_back({answers_.at(pair.instruction), "scripted/v1", "", std::nullopt});
    }
    if (drop_one && !result.empty()) result.pop_back();
    return result;
  }
  std::vector<std::size_t> batch_sizes;
  std::vector<PreferencePair> seen;
  bool drop_one = false;

 private:
  std::map<std::string, std::optional<int>> answers_;
};

Record row(const std::string& instruction, const std::string& input, const std::string& output) {
  return Record{{"instruction", instruction}, {"input", input}, {"output", output}};
}

class WinRateNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reference_ = std::make_shared<Dataset>();
    outputs_ = std::make_shared<Dataset>();
    // The reference in one order, the outputs in another; one reference row has no output
    // and one output row has no reference. The same instruction with two inputs is two rows.
    for (auto [instruction, input] : std::vector<std::pair<std::string, std::string>>{
             {"a", ""}, {"b", ""}, {"c", "x"}, {"c", "y"}, {"d", ""}, {"only-ref", ""}}) {
      Record record = row(instruction, input, "reference answer to " + instruction);
      record["answer"] = "hidden-" + instruction;
      record["generator"] = "reference";
      reference_->add(record);
    }
    for (auto [instruction, input] : std::vector<std::pair<std::string, std::string>>{
             {"d", ""}, {"c", "y"}, {"only-out", ""}, {"a", ""}, {"c", "x"}, {"b", ""}}) {
      Record record = row(instruction, input, "system answer to " + instruction + input);
      record["generator"] = "my-system";
      record["family"] = "arithmetic";
      outputs_->add(record);
    }
  }

  std::shared_ptr<Dataset> reference_, outputs_;
  TempDir dir_;
};

TEST_F(WinRateNodeTest, JudgesMatchedRowsWithTheReferenceAsOutputOne) {
  auto judge = std::make_shared<ScriptedJudge>(
      std::map<std::string, std::optional<int>>{{"a", 2}, {"b", 1}, {"c", 0}, {"d", std::nullopt}});
  const NodeTypeSpec spec = win_rate_node_type();
  TestNodeContext context(spec, {{"batch_size", 2}, {"length_controlled", false}}, dir_.path());
  context.add_input("outputs", outputs_);
  context.add_input("reference", reference_);
  context.add_input("judge", judge);
  context.run();

  // Five matched rows, in the outputs' order, in batches of 2.
  EXPECT_EQ(judge->batch_sizes, (std::vector<std::size_t>{2, 2, 1}));
  ASSERT_EQ(judge->seen.size(), 5u);
  EXPECT_EQ(judge->seen[0].instruction, "d");
  EXPECT_EQ(judge->seen[1].input, "y");
  EXPECT_EQ(judge->seen[1].output_1, "reference answer to c");
  EXPECT_EQ(judge->seen[1].output_2, "system answer to cy");
  // Hidden columns of both rows reach the judge; the system row's value wins a collision.
  EXPECT_EQ(judge->seen[0].metadata.at("answer"), "hidden-d");
  EXPECT_EQ(judge->seen[0].metadata.at("family"), "arithmetic");
  EXPECT_EQ(judge->seen[0].metadata.at("generator"), "my-system");
  EXPECT_FALSE(judge->seen[0].metadata.contains("output"));

  const auto report = context.output<Report>("report")->content();
  // Preferences: d unannotated, c(y) 0, a 2, c(x) 0, b 1 -> scores 0.5, 1, 0.5, 0.
  EXPECT_EQ(report["system"], "my-system");  // from the generator column
  EXPECT_EQ(report["judge"], "scripted");
  EXPECT_EQ(report["role"], "simulated");
  EXPECT_DOUBLE_EQ(report["win_rate"].get<double>(), 50.0);
  // Deviations 0, 0.5, 0, -0.5: variance 0.5 / 3, SE sqrt(0.5 / 12) * 100.
  EXPECT_NEAR(report["standard_error"].get<double>(), std::sqrt(0.5 / 12.0) * 100.0, 1e-12);
  EXPECT_EQ(report["n_wins"], 1);
  EXPECT_EQ(report["n_wins_base"], 1);
  EXPECT_EQ(report["n_draws"], 2);
  EXPECT_EQ(report["n_total"], 4);
  EXPECT_EQ(report["n_unannotated"], 1);
  EXPECT_EQ(report["n_unmatched_outputs"], 1);
  EXPECT_EQ(report["n_unmatched_reference"], 1);
  EXPECT_EQ(report["unmatched_output_examples"][0]["instruction"], "only-out");
  EXPECT_EQ(report["unmatched_reference_examples"][0]["row"], 6);
  EXPECT_TRUE(report["lc_win_rate"].is_null());
  // "system answer to d" has 18 characters and 4 words; "...cy"/"...cx" 19, the others 18.
  EXPECT_DOUBLE_EQ(report["avg_length"].get<double>(), (18 + 19 + 18 + 19 + 18) / 5.0);
  EXPECT_DOUBLE_EQ(report["avg_length_words"].get<double>(), 4.0);

  const auto annotations = context.output<Dataset>("annotations");
  ASSERT_EQ(annotations->size(), 5u);
  const Record& first = (*annotations)[0];
  EXPECT_EQ(first["instruction"], "d");
  EXPECT_TRUE(first["preference"].is_null());
  EXPECT_EQ((*annotations)[2]["preference"], 2);
  EXPECT_EQ((*annotations)[2]["output_1"], "reference answer to a");
  EXPECT_EQ((*annotations)[2]["output_2"], "system answer to a");
  EXPECT_EQ((*annotations)[2]["annotator"], "scripted/v1");
  std::vector<std::string> columns;
  for (const auto& item : first.items()) columns.push_back(item.key());
  EXPECT_EQ(columns, (std::vector<std::string>{"instruction", "input", "output_1", "output_2",
                                               "preference", "annotator"}));
}

TEST_F(WinRateNodeTest, SystemAndRoleParametersReachTheReport) {
  auto judge = std::make_shared<ScriptedJudge>(
      std::map<std::string, std::optional<int>>{{"a", 2}, {"b", 2}, {"c", 2}, {"d", 2}});
  const NodeTypeSpec spec = win_rate_node_type();
  TestNodeContext context(spec, {{"system", "ppo"}, {"role", "human"}}, dir_.path());
  context.add_input("outputs", outputs_);
  context.add_input("reference", reference_);
  context.add_input("judge", judge);
  context.run();
  const auto report = context.output<Report>("report")->content();
  EXPECT_EQ(report["system"], "ppo");
  EXPECT_EQ(report["role"], "human");
  EXPECT_DOUBLE_EQ(report["win_rate"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(report["standard_error"].get<double>(), 0.0);
  EXPECT_TRUE(report["lc_win_rate"].is_number());
}

TEST_F(WinRateNodeTest, RequireAllMatchedFailsNamingTheRow) {
  auto judge = std::make_shared<ScriptedJudge>(std::map<std::string, std::optional<int>>{});
  const NodeTypeSpec spec = win_rate_node_type();
  TestNodeContext context(spec, {{"require_all_matched", true}}, dir_.path());
  context.add_input("outputs", outputs_);
  context.add_input("reference", reference_);
  context.add_input("judge", judge);
  try {
    context.run();
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("row 3, \"only-out\""), std::string::npos)
        << error.what();
  }
}

TEST_F(WinRateNodeTest, AJudgeReturningTooFewAnnotationsFails) {
  auto judge = std::make_shared<ScriptedJudge>(
      std::map<std::string, std::optional<int>>{{"a", 2}, {"b", 1}, {"c", 0}, {"d", 1}});
  judge->drop_one = true;
  const NodeTypeSpec spec = win_rate_node_type();
  TestNodeContext context(spec, {}, dir_.path());
  context.add_input("outputs", outputs_);
  context.add_input("reference", reference_);
  context.add_input("judge", judge);
  EXPECT_THROW(context.run(), Error);
}

TEST_F(WinRateNodeTest, NothingMatchedIsAnError) {
  auto judge = std::make_shared<ScriptedJudge>(std::map<std::string, std::optional<int>>{});
  auto unrelated = std::make_shared<Dataset>();
  unrelated->add(row("zzz", "", "text"));
  const NodeTypeSpec spec = win_rate_node_type();
  TestNodeContext context(spec, {}, dir_.path());
  context.add_input("outputs", unrelated);
  context.add_input("reference", reference_);
  context.add_input("judge", judge);
  EXPECT_THROW(context.run(), Error);
}

}  // namespace
}  // namespace paddock::evaluators
