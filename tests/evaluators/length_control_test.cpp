// The length-controlled win rate: a system that wins only by writing longer outputs loses
// most of its advantage, a system that is better at equal length keeps it.
#include <gtest/gtest.h>

#include "evaluator_nodes.hpp"
#include "length_control.hpp"
#include "node_harness.hpp"
#include "paddock/annotator.hpp"
#include "paddock/dataset.hpp"
#include "paddock/random.hpp"
#include "paddock/report.hpp"
#include "test_support.hpp"

namespace paddock::evaluators {
namespace {

using testing::TempDir;
using testing::TestNodeContext;

// Prefers the longer output with probability 0.85 (seeded by the instruction, so the same
// pair always gets the same answer), and knows nothing else about quality.
class LengthLovingJudge : public Annotator {
 public:
  std::string name() const override { return "prefers-longer"; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override {
    std::vector<Annotation> result;
    for (const auto& pair : pairs) {
      std::mt19937_64 rng(derive_seed(3, pair.instruction));
      const bool second_longer = pair.output_2.size() > pair.output_1.size();
      const bool pick_longer = bernoulli(rng, 0.85);
      result.push_back({second_longer == pick_longer ? 2 : 1, name(), "", std::nullopt});
    }
    return result;
  }
};

// Prefers the system (output_2) with probability 0.75, whatever the lengths.
class QualityJudge : public Annotator {
 public:
  std::string name() const override { return "quality"; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override {
    std::vector<Annotation> result;
    for (const auto& pair : pairs) {
      std::mt19937_64 rng(derive_seed(5, pair.instruction));
      result.push_back({bernoulli(rng, 0.75) ? 2 : 1, name(), "", std::nullopt});
    }
    return result;
  }
};

// 1000 instructions; reference outputs of 200 to 500 characters. The system's outputs are
// longer than the reference's for `longer_share` of the rows and shorter for the others, by
// 20 to 180 characters either way (lengths are the only difference), or, with
// `same_length`, exactly as long.
std::pair<std::shared_ptr<Dataset>, std::shared_ptr<Dataset>> make_data(double longer_share,
                                                                        bool same_length) {
  auto reference = std::make_shared<Dataset>();
  auto outputs = std::make_shared<Dataset>();
  std::mt19937_64 rng(derive_seed(11, "length-control-test"));
  for (int i = 0; i < 1000; ++i) {
    const std::string instruction = "instruction " + std::to_string(i);
    const std::size_t base = 200 + uniform_below(rng, 300);
    const std::size_t delta = 20 + uniform_below(rng, 160);
    const bool longer = bernoulli(rng, longer_share);
    const std::size_t system = same_length ? base : longer ? base + delta : base - delta;
    reference->add(
        Record{{"instruction", instruction}, {"input", ""}, {"output", std::string(base, 'r')}});
    outputs->add(
        Record{{"instruction", instruction}, {"input", ""}, {"output", std::string(system, 's')}});
  }
  return {outputs, reference};
}

nlohmann::ordered_json evaluate(const std::shared_ptr<Dataset>& outputs,
                                const std::shared_ptr<Dataset>& reference,
                                std::shared_ptr<Annotator> judge, const std::string& dir) {
  const NodeTypeSpec spec = win_rate_node_type();
  TestNodeContext context(spec, {{"system", "s"}}, dir);
  context.add_input("outputs", outputs);
  context.add_input("reference", reference);
  context.add_input("judge", std::move(judge));
  context.run();
  return context.output<Report>("report")->content();
}

TEST(LengthControl, ASystemThatWinsOnlyByLengthLosesMostOfItsAdvantage) {
  TempDir dir;
  auto [outputs, reference] = make_data(/*longer_share=*/0.8, /*same_length=*/false);
  const auto report =
      evaluate(outputs, reference, std::make_shared<LengthLovingJudge>(), dir.path());
  const double raw = report["win_rate"].get<double>();
  const double controlled = report["lc_win_rate"].get<double>();
  // Expected raw win rate: 0.8 * 0.85 + 0.2 * 0.15 = 71 %.
  EXPECT_GT(raw, 67.0);
  EXPECT_LT(std::fabs(controlled - 50.0), (raw - 50.0) / 3.0)
      << "raw " << raw << ", length-controlled " << controlled;
  EXPECT_GT(report["lc_model"]["length_term"].get<double>(), 1.0);
  EXPECT_GT(report["lc_standard_error"].get<double>(), 0.0);
  EXPECT_LT(report["lc_standard_error"].get<double>(), 10.0);
  EXPECT_TRUE(report["lc_model"]["converged"].get<bool>());
}

TEST(LengthControl, ASystemBetterAtEqualLengthKeepsItsAdvantage) {
  TempDir dir;
  auto [outputs, reference] = make_data(/*longer_share=*/0.5, /*same_length=*/false);
  const auto report = evaluate(outputs, reference, std::make_shared<QualityJudge>(), dir.path());
  const double raw = report["win_rate"].get<double>();
  const double controlled = report["lc_win_rate"].get<double>();
  EXPECT_GT(raw, 68.0);
  EXPECT_NEAR(controlled, raw, 5.0);
}

TEST(LengthControl, EqualLengthsLeaveTheLengthTermAtZero) {
  TempDir dir;
  auto [outputs, reference] = make_data(/*longer_share=*/0.5, /*same_length=*/true);
  const auto report = evaluate(outputs, reference, std::make_shared<QualityJudge>(), dir.path());
  EXPECT_DOUBLE_EQ(report["lc_model"]["length_term"].get<double>(), 0.0);
  // Only the intercept, with a tiny penalty: the prediction is the raw win rate.
  EXPECT_NEAR(report["lc_win_rate"].get<double>(), report["win_rate"].get<double>(), 0.05);
}

TEST(LengthControl, DeltaMethodStandardErrorOfAnInterceptOnlyFit) {
  // Four rows, equal lengths: 3 wins, 1 loss. p = 0.75 up to the penalty; the variance of
  // theta is 1 / (n p (1 - p)) and SE = 100 p (1 - p) sqrt(variance) = 100 sqrt(p(1-p)/n).
  const std::vector<std::optional<int>> preferences{2, 2, 2, 1};
  const std::vector<double> lengths{10, 10, 10, 10};
  const auto result = length_controlled_win_rate(preferences, lengths, lengths, 1e-9);
  ASSERT_TRUE(result.has_value());
  EXPECT_NEAR(result->win_rate, 75.0, 1e-6);
  EXPECT_NEAR(*result->standard_error, 100.0 * std::sqrt(0.75 * 0.25 / 4.0), 1e-5);
  const std::vector<std::optional<int>> none{std::nullopt};
  const std::vector<double> one{1};
  EXPECT_FALSE(length_controlled_win_rate(none, one, one, 0.01).has_value());
}

}  // namespace
}  // namespace paddock::evaluators
