// An API outage during `annotate` against a judge server on 127.0.0.1 that fails for some
// pairs and later recovers: the node fails (or, within max_failed_share, finishes incomplete),
// the answers it got stay in the cache, and the next run asks only for the missing pairs.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "annotator_nodes.hpp"
#include "api_llm_test_fixture.hpp"
#include "evaluator_nodes.hpp"
#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "pair_records.hpp"

namespace paddock::annotators {
namespace {

using namespace testing;

// A server that answers correctly, except that while `down` is set every request showing
// one of the failing questions gets a 500.
struct FlakyJudgeServer {
  std::atomic<bool> down{true};
  LoopbackServer server{[this](std::size_t, const ReceivedRequest& request) -> ScriptedResponse {
    const std::string prompt = prompt_of(request.body);
    const bool failing = prompt.find("Question 2") != std::string::npos ||
                         prompt.find("Question 5") != std::string::npos;
    if (down && failing) return {500, R"({"error": "the service is overloaded"})"};
    return answer_correctly(0, request);
  }};
};

std::shared_ptr<Dataset> rows_of(const std::vector<PreferencePair>& pairs) {
  auto rows = std::make_shared<Dataset>();
  for (const PreferencePair& pair : pairs) {
    rows->add({{"instruction", pair.instruction},
               {"input", pair.input},
               {"output_1", pair.output_1},
               {"output_2", pair.output_2}});
  }
  return rows;
}

class AnnotationOutageTest : public ApiLlmTest {
 protected:
  // Runs `annotate` over six pairs with a fresh judge (as a new `paddock run` would make).
  std::unique_ptr<TestNodeContext> annotate(const LoopbackServer& server,
                                            nlohmann::json node_params = nlohmann::json::object()) {
    auto node = std::make_unique<TestNodeContext>(annotate_node_type(), node_params, dir_.path());
    node->add_input("pairs", rows_of(pairs(6)));
    node->add_input("annotator", make(server, {{"max_retries", 1}, {"concurrency", 1}}));
    node->run();
    return node;
  }
};

TEST_F(AnnotationOutageTest, FailedPairsFailTheNodeAndARerunAsksOnlyForThem) {
  FlakyJudgeServer flaky;
  try {
    annotate(flaky.server, {{"batch_size", 1}});
    FAIL() << "an outage must fail the node";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'test_judge' got no answer for"), std::string::npos) << message;
    EXPECT_NE(message.find("asks only for the missing pairs"), std::string::npos) << message;
    EXPECT_NE(message.find("max_failed_share"), std::string::npos) << message;
  }
  // Pairs 0 and 1 are answered and cached, then pair 2's two attempts fail: the node stops
  // there instead of paying on through the outage.
  EXPECT_EQ(count_lines(dir_ / "cache.jsonl"), 2u);
  EXPECT_EQ(flaky.server.requests(), 4u);

  flaky.down = false;
  const std::size_t before = flaky.server.requests();
  const auto node = annotate(flaky.server);
  EXPECT_EQ(flaky.server.requests() - before, 4u);  // pairs 2 to 5 only
  EXPECT_FALSE(node->incomplete.has_value());
  const auto annotated = node->output<Dataset>("annotated");
  ASSERT_EQ(annotated->size(), 6u);
  for (std::size_t row = 0; row < annotated->size(); ++row) {
    EXPECT_EQ((*annotated)[row]["preference"], row % 2 ? 2 : 1) << "row " << row;
  }
  EXPECT_EQ(node->last_metric("failed"), 0.0);
}

TEST_F(AnnotationOutageTest, AllowedFailuresFinishIncompleteAndLoudly) {
  FlakyJudgeServer flaky;
  const auto node = annotate(flaky.server, {{"max_failed_share", 0.5}});
  ASSERT_TRUE(node->incomplete.has_value());
  EXPECT_NE(node->incomplete->find("2 of 6 pairs got no answer"), std::string::npos)
      << *node->incomplete;
  EXPECT_NE(node->log_text().find("[warning]"), std::string::npos);
  EXPECT_EQ(node->last_metric("failed"), 2.0);
  const auto annotated = node->output<Dataset>("annotated");
  ASSERT_EQ(annotated->size(), 6u);
  EXPECT_TRUE((*annotated)[2]["preference"].is_null());
  EXPECT_TRUE((*annotated)[5]["preference"].is_null());
  EXPECT_EQ((*annotated)[4]["preference"], 1);

  flaky.down = false;
  const std::size_t before = flaky.server.requests();
  const auto again = annotate(flaky.server, {{"max_failed_share", 0.5}});
  EXPECT_EQ(flaky.server.requests() - before, 2u);
  EXPECT_FALSE(again->incomplete.has_value());
}

// A share below what failed still fails the node.
TEST_F(AnnotationOutageTest, TooManyFailuresForTheAllowedShareFail) {
  FlakyJudgeServer flaky;
  EXPECT_THROW(annotate(flaky.server, {{"max_failed_share", 0.2}}), Error);
}

// Unparsable answers are answers (AlpacaFarm's NaN rows): cached, and no failure.
TEST_F(AnnotationOutageTest, UnparsableAnswersAreNotFailures) {
  LoopbackServer server([](std::size_t, const ReceivedRequest&) -> ScriptedResponse {
    return {200, chat_response("I cannot decide.")};
  });
  const auto node = annotate(server);
  EXPECT_FALSE(node->incomplete.has_value());
  EXPECT_EQ(node->last_metric("unannotated"), 6.0);
}

// A budget that stops the judge leaves the node incomplete, not failed.
TEST_F(AnnotationOutageTest, ABudgetStopLeavesTheNodeIncomplete) {
  LoopbackServer server(answer_correctly);
  TestNodeContext node(annotate_node_type(), nlohmann::json::object(), dir_.path());
  node.add_input("pairs", rows_of(pairs(6)));
  node.add_input("annotator", make(server, {{"budget_requests", 2}, {"concurrency", 1}}));
  node.run();
  ASSERT_TRUE(node.incomplete.has_value());
  EXPECT_NE(node.incomplete->find("not sent: a budget was reached"), std::string::npos)
      << *node.incomplete;
}

// The two nodes that ask a judge for an evaluation follow the same rule as `annotate`: an
// outage fails them, or within max_failed_share leaves them incomplete, and the next run
// asks only for the missing pairs.
class EvaluationOutageTest : public AnnotationOutageTest {
 protected:
  std::unique_ptr<TestNodeContext> evaluate(const std::string& node_type,
                                            const LoopbackServer& server, double max_failed_share) {
    const nlohmann::json params = {{"max_failed_share", max_failed_share}};
    auto judge = make(server, {{"max_retries", 1}, {"concurrency", 1}});
    const auto rows = pairs(6);
    std::unique_ptr<TestNodeContext> node;
    if (node_type == "judge_eval") {
      node = std::make_unique<TestNodeContext>(judge_eval_node_type(), params, dir_.path());
      auto reference = std::make_shared<Dataset>();
      for (std::size_t row = 0; row < rows.size(); ++row) {
        reference->add({{"instruction", rows[row].instruction},
                        {"input", rows[row].input},
                        {"output_1", rows[row].output_1},
                        {"output_2", rows[row].output_2},
                        {"preference", row % 2 ? 2 : 1}});
      }
      node->add_input("reference", reference);
    } else {
      node =
          std::make_unique<TestNodeContext>(evaluators::win_rate_node_type(), params, dir_.path());
      auto outputs = std::make_shared<Dataset>(), reference = std::make_shared<Dataset>();
      for (const PreferencePair& pair : rows) {
        outputs->add(
            {{"instruction", pair.instruction}, {"input", pair.input}, {"output", pair.output_2}});
        reference->add(
            {{"instruction", pair.instruction}, {"input", pair.input}, {"output", pair.output_1}});
      }
      node->add_input("outputs", outputs);
      node->add_input("reference", reference);
    }
    node->add_input("judge", judge);
    node->run();
    return node;
  }

  void expect_the_outage_rule(const std::string& node_type) {
    FlakyJudgeServer flaky;
    try {
      evaluate(node_type, flaky.server, 0.0);
      ADD_FAILURE() << "an outage must fail " << node_type;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what())
                    .find(node_type + ": the annotator 'test_judge' got no answer for"),
                std::string::npos)
          << error.what();
    }
    const auto allowed = evaluate(node_type, flaky.server, 0.5);
    ASSERT_TRUE(allowed->incomplete.has_value());
    EXPECT_NE(allowed->incomplete->find("2 of 6 pairs got no answer"), std::string::npos)
        << *allowed->incomplete;
    EXPECT_NE(allowed->log_text().find("[warning]"), std::string::npos);

    flaky.down = false;
    const std::size_t before = flaky.server.requests();
    const auto recovered = evaluate(node_type, flaky.server, 0.5);
    EXPECT_EQ(flaky.server.requests() - before, 2u);  // the two missing pairs only
    EXPECT_FALSE(recovered->incomplete.has_value());
  }
};

TEST_F(EvaluationOutageTest, JudgeEvalFailsOrFinishesIncompleteAndRerunsOnlyTheMissing) {
  expect_the_outage_rule("judge_eval");
}

TEST_F(EvaluationOutageTest, WinRateFailsOrFinishesIncompleteAndRerunsOnlyTheMissing) {
  expect_the_outage_rule("win_rate");
}

}  // namespace
}  // namespace paddock::annotators
