// world_task_scores: the per-family checker that calibrates the world against a model.
#include <gtest/gtest.h>

#include <set>

#include "paddock/error.hpp"
#include "paddock/report.hpp"
#include "task_scores.hpp"
#include "world_nodes.hpp"
#include "world_test_support.hpp"

namespace paddock::world {
namespace {

using testing::TestNodeContext;

// The world's parameters as the host resolves them: `values` over the declared defaults.
nlohmann::json world_params(const nlohmann::json& values) {
  return paddock::testing::params_with_defaults(instruction_world_node_type(), values);
}

std::shared_ptr<Dataset> eval_prompts() {
  TestNodeContext context("world", world_params({{"scale", 0.05},
                                                 {"families", nlohmann::json::array()},
                                                 {"input_fraction", 0.3},
                                                 {"fact_base_size", 300}}));
  instruction_world_node_type().create()->run(context);
  return context.output<Dataset>("eval");
}

std::shared_ptr<Dataset> answers(const std::shared_ptr<Dataset>& prompts, const char* quality) {
  TestNodeContext context("system", {{"quality", quality}, {"generator", ""}});
  context.add_input("prompts", prompts);
  world_system_node_type().create()->run(context);
  return context.output<Dataset>("outputs");
}

TEST(WorldTaskScores, OrdersTheScriptedSystemsByQuality) {
  const auto prompts = eval_prompts();
  TestNodeContext context("scores", nlohmann::json::object());
  for (const char* quality : {"strong", "weak", "base"})
    context.add_input("outputs", answers(prompts, quality));
  world_task_scores_node_type().create()->run(context);
  const auto& systems = context.output<Report>("report")->content()["systems"];
  ASSERT_EQ(systems.size(), 3u);
  EXPECT_EQ(systems[0]["generator"], "world_strong");
  EXPECT_EQ(systems[0]["rows"], prompts->size());
  EXPECT_GT(systems[0]["correctness"].get<double>(), 0.95);
  EXPECT_GT(systems[0]["correctness"].get<double>(), systems[1]["correctness"].get<double>());
  EXPECT_GT(systems[1]["correctness"].get<double>(), systems[2]["correctness"].get<double>());
  std::set<std::string> families;
  for (const Record& record : prompts->records()) families.insert(record["family"]);
  EXPECT_EQ(systems[0]["families"].size(), families.size());
  std::size_t family_rows = 0;
  for (const auto& family : systems[0]["families"])
    family_rows += family["rows"].get<std::size_t>();
  EXPECT_EQ(family_rows, prompts->size());
}

TEST(WorldTaskScores, ScoresHandWrittenAnswers) {
  Dataset outputs;
  Task task;
  task.family = "addition";
  task.instruction = "What is 2 + 3?";
  task.answer = "5";
  task.keys = {"5"};
  task.wrong_keys = {"6"};
  outputs.add(task_to_record(task, "The answer is 5."));
  outputs.add(task_to_record(task, "It is 6."));
  outputs.add(task_to_record(task, "5, or maybe 6."));
  const SystemTaskScores scores = score_world_outputs(outputs, "hand", "test");
  EXPECT_EQ(scores.generator, "hand");
  EXPECT_EQ(scores.overall.rows, 3u);
  EXPECT_DOUBLE_EQ(scores.overall.correctness, (1.0 + 0.0 + 0.25) / 3);
  EXPECT_DOUBLE_EQ(scores.overall.fully_correct, 1.0 / 3);
  EXPECT_EQ(scores.families.at("addition").rows, 3u);
}

TEST(WorldTaskScores, RefusesRowsItCannotScore) {
  Dataset no_hidden_columns;
  no_hidden_columns.add({{"instruction", "Say hi."}, {"input", ""}, {"output", "hi"}});
  try {
    score_world_outputs(no_hidden_columns, "x", "world_task_scores: outputs[0]");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("outputs[0] row 1"), std::string::npos)
        << error.what();
  }
  Task task;
  task.family = "addition";
  task.keys = {"5"};
  Dataset no_output;
  no_output.add(task_to_record(task));
  try {
    score_world_outputs(no_output, "x", "scores");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("'output'"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace paddock::world
