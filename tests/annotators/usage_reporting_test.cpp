// The SDK's optional annotator services (paddock/annotator_usage.hpp) as this plugin's nodes
// use them: a judge from any plugin that reports usage shows its cost and time per 1000
// annotations in `annotate` and `judge_eval`; the noisy ensemble sums its judges (a pool
// once, not per member) and passes the cancellation check on; sums of details.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "annotator_nodes.hpp"
#include "annotators_test_support.hpp"
#include "noisy_ensemble.hpp"
#include "paddock/annotator_usage.hpp"
#include "paddock/dataset.hpp"
#include "paddock/report.hpp"
#include "test_support.hpp"
#include "usage_reports.hpp"

namespace paddock::annotators {
namespace {

using namespace testing;
using paddock::testing::TempDir;
using ::testing::HasSubstr;

// A judge as a third-party plugin would write it: prefers the longer output and accounts one
// request per call, 10 prompt + 2 completion tokens and $0.01 and 0.5 s per pair.
class MeteredJudge : public Annotator, public UsageReporter, public Cancellable {
 public:
  explicit MeteredJudge(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override {
    if (check_ && check_()) {
      usage_.stopped_by_cancellation = true;
      return std::vector<Annotation>(pairs.size());
    }
    std::vector<Annotation> out(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      out[i].annotator = name_;
      out[i].preference = pairs[i].output_2.size() > pairs[i].output_1.size() ? 2 : 1;
    }
    const auto count = static_cast<std::int64_t>(pairs.size());
    usage_.requests += 1;
    usage_.annotations += count;
    usage_.prompt_tokens += 10 * count;
    usage_.completion_tokens += 2 * count;
    usage_.dollars += 0.01 * static_cast<double>(count);
    usage_.seconds += 0.5 * static_cast<double>(count);
    usage_.details["pairs_requested"] = usage_.details.value("pairs_requested", 0) + count;
    usage_.details["pairs_found"] = usage_.details.value("pairs_found", 0) + count - 1;
    usage_.details["coverage"] = usage_.details["pairs_found"].get<double>() /
                                 usage_.details["pairs_requested"].get<double>();
    return out;
  }
  AnnotatorUsage usage() const override { return usage_; }
  void set_cancel_check(std::function<bool()> check) override {
    check_ = std::move(check);
    ++checks_set;
  }

  bool has_check() const { return static_cast<bool>(check_); }
  AnnotatorUsage usage_;
  int checks_set = 0;

 private:
  std::string name_;
  std::function<bool()> check_;
};

// A pool that reports the usage of all its members itself.
class MeteredPool : public PoolOf, public UsageReporter {
 public:
  using PoolOf::PoolOf;
  AnnotatorUsage usage() const override {
    AnnotatorUsage total;
    total.requests = 100;
    total.annotations = 1000;
    total.dollars = 5.0;
    return total;
  }
};

std::shared_ptr<Dataset> four_pairs() {
  auto rows = std::make_shared<Dataset>();
  for (int i = 0; i < 4; ++i) {
    rows->add({{"instruction", "q" + std::to_string(i)},
               {"output_1", "short"},
               {"output_2", std::string(static_cast<std::size_t>(6 + i), 'x')},
               {"preference", 2}});
  }
  return rows;
}

TEST(UsageReporting, AnnotateReportsCostAndTimeOfAJudgeFromAnyPlugin) {
  TempDir dir;
  auto judge = std::make_shared<MeteredJudge>("metered");
  TestNodeContext node(annotate_node_type(), {{"batch_size", 2}}, dir.path());
  node.add_input("pairs", four_pairs());
  node.add_input("annotator", judge);
  node.run();

  const std::string log = node.log_text();
  EXPECT_THAT(log, HasSubstr("metered: 4 annotations from 2 requests, 40 prompt + 8 completion "
                             "tokens, $0.0400, 2.0 s; per 1000 annotations $10.00 and 500.0 s"));
  EXPECT_DOUBLE_EQ(node.last_metric("dollars_per_1000"), 10.0);
  EXPECT_DOUBLE_EQ(node.last_metric("seconds_per_1000"), 500.0);
  EXPECT_DOUBLE_EQ(node.last_metric("requests"), 2.0);
  EXPECT_DOUBLE_EQ(node.last_metric("coverage"), 0.5);  // from the judge's details
  // The node installed its cancellation check for the run and removed it afterwards.
  EXPECT_EQ(judge->checks_set, 2);
  EXPECT_FALSE(judge->has_check());
}

TEST(UsageReporting, AnnotateFallsBackToWallTimeForAJudgeWithoutUsage) {
  TempDir dir;
  TestNodeContext node(annotate_node_type(), {}, dir.path());
  node.add_input("pairs", four_pairs());
  node.add_input("annotator",
                 std::make_shared<FunctionJudge>("plain", [](const PreferencePair&) { return 1; }));
  node.run();
  EXPECT_THAT(node.log_text(), HasSubstr("plain: reports no usage (cost unknown)"));
  EXPECT_EQ(node.series("seconds_per_1000").size(), 1u);
  EXPECT_TRUE(node.series("dollars_per_1000").empty());
}

TEST(UsageReporting, AnnotateWarnsWhenTheJudgeStoppedAtItsBudget) {
  TempDir dir;
  auto judge = std::make_shared<MeteredJudge>("capped");
  judge->usage_.stopped_by_budget = true;
  judge->usage_.stop_note = "dollar budget reached ($1.00)";
  TestNodeContext node(annotate_node_type(), {}, dir.path());
  node.add_input("pairs", four_pairs());
  node.add_input("annotator", judge);
  node.run();
  EXPECT_THAT(node.log_text(), HasSubstr("capped: stopped by its budget: dollar budget reached "
                                         "($1.00)"));
}

TEST(UsageReporting, JudgeEvalTakesPriceAndTimeFromTheJudgesUsage) {
  TempDir dir;
  auto judge = std::make_shared<MeteredJudge>("metered");
  TestNodeContext node(judge_eval_node_type(), {{"batch_size", 3}}, dir.path());
  node.add_input("judge", judge);
  node.add_input("reference", four_pairs());
  node.run();
  const auto report = node.output<Report>("report")->content();
  EXPECT_DOUBLE_EQ(report["price_per_1000"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(report["time_per_1000"].get<double>(), 500.0);
  EXPECT_EQ(report["judge_usage"]["requests"], 2);
  EXPECT_EQ(report["judge_usage"]["prompt_tokens"], 40);
  EXPECT_EQ(report["judge_usage"]["stopped_by_budget"], false);
  EXPECT_EQ(report["judge_usage"]["pairs_requested"], 4);

  // Unknown prices give no price rather than a made-up one.
  auto unpriced = std::make_shared<MeteredJudge>("unpriced");
  unpriced->usage_.dollars_known = false;
  TestNodeContext again(judge_eval_node_type(), {{"batch_size", 3}}, dir.path());
  again.add_input("judge", unpriced);
  again.add_input("reference", four_pairs());
  again.run();
  EXPECT_TRUE(again.output<Report>("report")->content()["price_per_1000"].is_null());
}

TEST(UsageReporting, TheEnsembleSumsItsJudges) {
  auto first = std::make_shared<MeteredJudge>("first");
  auto second = std::make_shared<MeteredJudge>("second");
  NoisyEnsembleOptions options;
  options.seed = 5;
  NoisyEnsembleAnnotator ensemble({first, second}, options);
  std::vector<PreferencePair> pairs;
  for (int i = 0; i < 40; ++i) {
    pairs.push_back(make_pair("instruction " + std::to_string(i), "a", "bb"));
  }
  pairs.push_back(make_pair("same", "x", "x"));  // a tie that no judge sees
  ensemble.annotate(pairs);

  const AnnotatorUsage a = first->usage(), b = second->usage();
  ASSERT_GT(a.annotations, 0);
  ASSERT_GT(b.annotations, 0);
  const AnnotatorUsage total = ensemble.usage();
  EXPECT_EQ(total.annotations, 40);
  EXPECT_EQ(total.annotations, a.annotations + b.annotations);
  EXPECT_EQ(total.requests, 2);
  EXPECT_EQ(total.prompt_tokens, a.prompt_tokens + b.prompt_tokens);
  EXPECT_DOUBLE_EQ(total.dollars, a.dollars + b.dollars);
  EXPECT_DOUBLE_EQ(total.seconds, 20.0);
  EXPECT_EQ(total.details["pairs_requested"], 40);
  EXPECT_EQ(total.details["pairs_found"], 38);
  EXPECT_DOUBLE_EQ(total.details["coverage"].get<double>(), 38.0 / 40.0);
  EXPECT_EQ(total.details["rows_identical_outputs"], 1);
  EXPECT_EQ(total.details["judges"], 2);
}

TEST(UsageReporting, APoolThatReportsCountsOnceAndOneThatDoesNotCountsItsMembers) {
  auto member_1 = std::make_shared<MeteredJudge>("m1");
  auto member_2 = std::make_shared<MeteredJudge>("m2");
  member_1->usage_.requests = 3;
  member_2->usage_.requests = 4;
  // The reporting pool speaks for its members: its 100 requests, not 100 + 3 + 4.
  auto reporting =
      std::make_shared<MeteredPool>(std::vector<std::shared_ptr<Annotator>>{member_1, member_2});
  EXPECT_EQ(usage_of_annotators({reporting})->requests, 100);
  // A pool without usage of its own counts through its members.
  auto silent =
      std::make_shared<PoolOf>(std::vector<std::shared_ptr<Annotator>>{member_1, member_2});
  EXPECT_EQ(usage_of_annotators({silent})->requests, 7);
  auto plain = std::make_shared<FunctionJudge>("plain", [](const PreferencePair&) { return 1; });
  EXPECT_FALSE(usage_of_annotators({plain}).has_value());
}

TEST(UsageReporting, TheEnsemblePassesTheCancelCheckToItsJudges) {
  auto inside_pool = std::make_shared<MeteredJudge>("inside");
  auto direct = std::make_shared<MeteredJudge>("direct");
  auto pool = std::make_shared<PoolOf>(std::vector<std::shared_ptr<Annotator>>{inside_pool});
  NoisyEnsembleAnnotator ensemble({pool, direct}, NoisyEnsembleOptions{});
  std::atomic<bool> stop{false};
  {
    ScopedCancelCheck check(ensemble, [&stop] { return stop.load(); });
    EXPECT_TRUE(inside_pool->has_check());
    EXPECT_TRUE(direct->has_check());
    stop = true;
    ensemble.annotate(std::vector{make_pair("q", "a", "bb"), make_pair("r", "c", "dd")});
  }
  EXPECT_FALSE(inside_pool->has_check());
  EXPECT_FALSE(direct->has_check());
  EXPECT_TRUE(ensemble.usage().stopped_by_cancellation);
}

TEST(UsageReporting, UsageJsonHasTheTypedFieldsThenTheDetails) {
  AnnotatorUsage usage;
  usage.annotations = 4;
  usage.dollars = 0.02;
  usage.seconds = 1.0;
  usage.details = {{"retries", 2}, {"dollars", "shadowed"}};
  const auto json = usage_to_json(usage);
  EXPECT_DOUBLE_EQ(json["dollars_per_1000"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(json["seconds_per_1000"].get<double>(), 250.0);
  EXPECT_EQ(json["retries"], 2);
  EXPECT_DOUBLE_EQ(json["dollars"].get<double>(), 0.02);  // a detail cannot replace a field
  EXPECT_FALSE(json.contains("stop_note"));
  EXPECT_TRUE(usage_to_json(AnnotatorUsage{})["dollars_per_1000"].is_null());
  EXPECT_EQ(per_1000_annotations(3.0, 0), -1.0);
}

}  // namespace
}  // namespace paddock::annotators
