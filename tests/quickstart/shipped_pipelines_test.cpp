// Every pipeline under configs/ validates against the bundled plugins, and the calibration
// pipeline trains exactly as the quickstart does (docs/world.md quotes it as the quickstart's
// recipe).
#include <gtest/gtest.h>

#include <filesystem>

#include <toml++/toml.h>

#include "test_support.hpp"

namespace paddock {
namespace {

using testing::quote;
using testing::run_command;

const std::filesystem::path kConfigs = std::filesystem::path(PADDOCK_SOURCE_DIR) / "configs";

TEST(ShippedPipelines, EveryConfigValidates) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kConfigs)) {
    if (entry.path().extension() != ".toml") continue;
    const auto result =
        run_command(std::string(PADDOCK_BINARY) + " validate " + quote(entry.path().string()));
    EXPECT_EQ(result.exit_code, 0) << entry.path() << "\n" << result.output;
    EXPECT_NE(result.output.find(": valid, "), std::string::npos) << result.output;
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

TEST(ShippedPipelines, CalibrationTrainsAsTheQuickstartDoes) {
  const toml::table quickstart = toml::parse_file((kConfigs / "quickstart.toml").string());
  const toml::table calibration = toml::parse_file((kConfigs / "world_calibration.toml").string());
  EXPECT_EQ(*quickstart["pipeline"]["seed"].as_integer(),
            *calibration["pipeline"]["seed"].as_integer());
  for (const char* node : {"world", "base", "sft"}) {
    const toml::table* ours = calibration["nodes"][node].as_table();
    const toml::table* theirs = quickstart["nodes"][node].as_table();
    ASSERT_NE(ours, nullptr) << node;
    ASSERT_NE(theirs, nullptr) << node;
    EXPECT_TRUE(*ours == *theirs) << "node '" << node << "' differs from the quickstart's";
  }
}

// configs/all_methods.toml is the quickstart plus three systems: every node they share is the
// quickstart's, but PPO's curve, which covers all 805 prompts there.
TEST(ShippedPipelines, AllMethodsIsTheQuickstartPlusThreeSystems) {
  const toml::table quickstart = toml::parse_file((kConfigs / "quickstart.toml").string());
  toml::table all = toml::parse_file((kConfigs / "all_methods.toml").string());
  EXPECT_EQ(*quickstart["pipeline"]["seed"].as_integer(), *all["pipeline"]["seed"].as_integer());
  all["nodes"]["ppo"].as_table()->insert_or_assign("eval_rows", 200);
  int shared = 0;
  for (const auto& [name, node] : *quickstart["nodes"].as_table()) {
    const toml::table* theirs = all["nodes"][name.str()].as_table();
    ASSERT_NE(theirs, nullptr) << "all_methods.toml lacks node '" << name.str() << "'";
    if (name.str() == "task_scores" || name.str() == "leaderboard") continue;  // they list more
    EXPECT_TRUE(*node.as_table() == *theirs) << "node '" << name.str() << "' differs";
    ++shared;
  }
  EXPECT_GE(shared, 40);
  for (const char* extra : {"sft_large", "dpo", "grpo"})
    EXPECT_NE(all["nodes"][extra].as_table(), nullptr) << extra;
}

}  // namespace
}  // namespace paddock
