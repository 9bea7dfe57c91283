// configs/quickstart.toml with every size turned down (the same graph, via --set), on the
// shipped base model configs/world_base/: the whole study runs through the real host and
// plugins, and leaderboard.json lists every system with finite numbers, its differences from
// SFT and the reward model's measures.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace paddock {
namespace {

using testing::quote;
using testing::read_text;
using testing::run_command;
using testing::TempDir;

const std::vector<std::string> kTinySizes = {
    "world.scale=0.005",
    "world.eval_size=0",
    "preference_prompts.size=8",
    "sft.epochs=1",
    "samples.max_new_tokens=16",
    "reward.epochs=1",
    "reward.eval_pairs=10",
    "ppo.steps=2",
    "ppo.rollout_batch_size=4",
    "ppo.step_batch_size=4",
    "ppo.max_new_tokens=16",
    "ppo.eval_every=1",
    "ppo.eval_rows=4",
    "best_of_n.n=2",
    "best_of_n.max_new_tokens=16",
    "unlabeled_sample.size=8",
    "expert_iteration.n=2",
    "expert_iteration.epochs=1",
    "expert_iteration.max_new_tokens=16",
    "quark.rounds=2",
    "quark.rollout_batch_size=4",
    "quark.step_batch_size=4",
    "quark.steps_per_round=1",
    "quark.max_new_tokens=16",
    "base_outputs.max_new_tokens=16",
    "sft_outputs.max_new_tokens=16",
    "ppo_outputs.max_new_tokens=16",
    "expert_iteration_outputs.max_new_tokens=16",
    "quark_outputs.max_new_tokens=16",
};

TEST(Quickstart, TinyStudyRunsEndToEndAndReportsEverySystem) {
  TempDir dir;
  std::string command = std::string(PADDOCK_BINARY) +
                        " run " PADDOCK_SOURCE_DIR "/configs/quickstart.toml" +
                        " --set pipeline.workdir=" + quote((dir / "run").string());
  for (const std::string& setting : kTinySizes) command += " --set " + setting;
  const auto result = run_command(command);
  ASSERT_EQ(result.exit_code, 0) << result.output.substr(
      result.output.size() > 6000 ? result.output.size() - 6000 : 0);

  const auto board = nlohmann::json::parse(read_text(dir / "run" / "report" / "leaderboard.json"));
  std::set<std::string> names;
  for (const auto& system : board["systems"]) {
    names.insert(system["name"]);
    EXPECT_TRUE(std::isfinite(system["simulated"]["win_rate"].get<double>())) << system.dump();
    ASSERT_FALSE(system["human"].is_null()) << system.dump();
    EXPECT_TRUE(std::isfinite(system["human"]["win_rate"].get<double>())) << system.dump();
    EXPECT_TRUE(std::isfinite(system["avg_length"].get<double>())) << system.dump();
  }
  for (const char* expected : {"base", "sft", "ppo", "expert_iteration", "quark", "best_of_8",
                               "world_strong", "world_medium", "world_weak"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected;
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "report" / "report.html"));
  for (const auto& system : board["systems"]) {
    if (system["name"] == "sft") continue;
    ASSERT_FALSE(system["vs_baseline"].is_null()) << system.dump();
    EXPECT_EQ(system["vs_baseline"]["baseline"], "sft");
    EXPECT_TRUE(system["vs_baseline"]["human"].is_object()) << system.dump();
  }
  const auto& reward = board["reward_model"];
  ASSERT_TRUE(reward.is_object()) << board.dump();
  EXPECT_TRUE(reward["label_ceiling"].is_number()) << reward.dump();
  for (const char* judge : {"world_gold_humans", "longest", "world_correctness"})
    EXPECT_TRUE(reward["against"].contains(judge)) << judge << ": " << reward.dump();

  // Per-family correctness for every system that answered the eval prompts.
  const auto scores = nlohmann::json::parse(
      read_text(dir / "run" / "task_scores" / "outputs" / "report" / "report.json"));
  std::set<std::string> scored;
  for (const auto& system : scores["systems"]) {
    scored.insert(system["generator"].get<std::string>());
    EXPECT_TRUE(std::isfinite(system["correctness"].get<double>())) << system.dump();
  }
  EXPECT_EQ(scored.size(), 9u);
  EXPECT_EQ(scored.count("world_strong"), 1u);

  // A second run is all cache.
  const auto again = run_command(command);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.output.find(" 0 ran"), std::string::npos)
      << again.output.substr(again.output.size() - 400);
}

}  // namespace
}  // namespace paddock
