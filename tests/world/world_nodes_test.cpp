// The world's node types run through a NodeContext with no pipeline around them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "paddock/annotator.hpp"
#include "paddock/error.hpp"
#include "world_nodes.hpp"
#include "world_test_support.hpp"

namespace paddock::world {
namespace {

using testing::TestNodeContext;

// The world's parameters as the host resolves them: `values` over the declared defaults.
nlohmann::json world_params(const nlohmann::json& values) {
  return paddock::testing::params_with_defaults(instruction_world_node_type(), values);
}

void run(const NodeTypeSpec& spec, TestNodeContext& context) {
  spec.create()->run(context);
}

std::shared_ptr<Dataset> small_eval() {
  TestNodeContext context("world", world_params({{"scale", 0.02},
                                                 {"families", nlohmann::json::array()},
                                                 {"input_fraction", 0.3},
                                                 {"fact_base_size", 300},
                                                 {"corpus_documents", 50}}));
  run(instruction_world_node_type(), context);
  return context.output<Dataset>("eval");
}

TEST(WorldNodes, SpecsDeclarePortsAndKinds) {
  EXPECT_EQ(instruction_world_node_type().kind, NodeKind::source);
  // Five splits, the corpus, the probes and the manifest.
  EXPECT_EQ(instruction_world_node_type().outputs.size(), 8u);
  EXPECT_EQ(world_system_node_type().kind, NodeKind::transform);
  EXPECT_EQ(world_gold_humans_node_type().kind, NodeKind::annotator);
  EXPECT_EQ(world_personas_node_type().kind, NodeKind::annotator);
  EXPECT_EQ(world_personas_node_type().outputs.front().name, "annotator");
  EXPECT_EQ(world_personas_node_type().outputs.front().type, "Annotator");
}

TEST(WorldNodes, InstructionWorldEmitsEverySplit) {
  TestNodeContext context("world", world_params({{"scale", 0.01},
                                                 {"families", {"addition", "sorting"}},
                                                 {"input_fraction", 0.3},
                                                 {"fact_base_size", 300},
                                                 {"corpus_documents", 50}}));
  run(instruction_world_node_type(), context);
  const auto corpus = context.output<Dataset>("corpus");
  ASSERT_NE(corpus, nullptr);
  EXPECT_EQ(corpus->size(), 50u);
  for (const char* split : {"sft", "preference", "unlabeled", "val", "eval"}) {
    const auto data = context.output<Dataset>(split);
    ASSERT_NE(data, nullptr) << split;
    EXPECT_FALSE(data->empty()) << split;
    for (const Record& record : data->records()) {
      const std::string family = record["family"];
      EXPECT_TRUE(family == "addition" || family == "sorting") << family;
    }
  }
}

TEST(WorldNodes, InstructionWorldRejectsBadParams) {
  TestNodeContext context("world", world_params({{"scale", 0.01}, {"families", {"poetry"}}}));
  EXPECT_THROW(run(instruction_world_node_type(), context), Error);
}

TEST(WorldNodes, SystemsAnswerWorldPrompts) {
  const auto eval = small_eval();
  for (const char* quality : {"strong", "medium", "weak", "base", "reference", "teacher"}) {
    TestNodeContext context("system", {{"quality", quality}, {"generator", ""}});
    context.add_input("prompts", eval);
    run(world_system_node_type(), context);
    const auto outputs = context.output<Dataset>("outputs");
    ASSERT_EQ(outputs->size(), eval->size());
    EXPECT_EQ((*outputs)[0]["generator"], std::string("world_") + quality);
    EXPECT_EQ((*outputs)[0]["family"], (*eval)[0]["family"]);
  }
}

TEST(WorldNodes, SystemsRefusePromptsWithoutHiddenColumns) {
  auto prompts = std::make_shared<Dataset>();
  prompts->add({{"instruction", "Say hi."}, {"input", ""}});
  TestNodeContext context("system", {{"quality", "strong"}, {"generator", ""}});
  context.add_input("prompts", prompts);
  try {
    run(world_system_node_type(), context);
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what())
                  .find("world_system: prompts row 1: hidden column "
                        "'family' is missing"),
              std::string::npos)
        << error.what();
  }
}

TEST(WorldNodes, AnnotatorNodesMakePools) {
  TestNodeContext gold("gold", {{"version", 2},
                                {"raters", 16},
                                {"temperature", 1.0},
                                {"mode", "single"},
                                {"panel_size", 5}});
  run(world_gold_humans_node_type(), gold);
  EXPECT_EQ(gold.output<Annotator>("annotator")->members().size(), 16u);

  TestNodeContext judges("judges",
                         {{"version", 2}, {"personas_file", ""}, {"temperature_scale", 1.0}});
  run(world_personas_node_type(), judges);
  EXPECT_EQ(judges.output<Annotator>("annotator")->members().size(), 13u);

  const auto file = std::filesystem::temp_directory_path() / "paddock_world_two_judges.toml";
  std::ofstream(file) << "[[persona]]\nname = \"one\"\n[[persona]]\nname = \"two\"\n";
  TestNodeContext custom(
      "judges", {{"version", 1}, {"personas_file", file.string()}, {"temperature_scale", 1.0}});
  run(world_personas_node_type(), custom);
  EXPECT_EQ(custom.output<Annotator>("annotator")->members().size(), 2u);
  // A file without `version` judges for version 1; a version-2 node refuses it by name.
  TestNodeContext mismatched(
      "judges", {{"version", 2}, {"personas_file", file.string()}, {"temperature_scale", 1.0}});
  try {
    run(world_personas_node_type(), mismatched);
    ADD_FAILURE() << "expected a version mismatch error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what())
                  .find("defines personas for world version 1 but the "
                        "node's `version` is 2"),
              std::string::npos)
        << error.what();
  }
  std::filesystem::remove(file);
}

TEST(WorldNodes, EvalSplitSavesAsAlpacaFarmJsonLines) {
  const auto eval = small_eval();
  const auto file = std::filesystem::temp_directory_path() / "paddock_world_eval.jsonl";
  eval->save_jsonl(file);
  const Dataset loaded = Dataset::load(file);
  ASSERT_EQ(loaded.size(), eval->size());
  EXPECT_EQ(loaded[0]["instruction"], (*eval)[0]["instruction"]);
  EXPECT_EQ(loaded[0]["output"], (*eval)[0]["output"]);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace paddock::world
