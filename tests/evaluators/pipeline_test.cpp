// The evaluators from TOML: dataset_file sources, the fixture judge (prefers the longer
// output), win_rate nodes for two systems in both roles, and a leaderboard, run by the
// executor with the real plugin files.
#include <gtest/gtest.h>

#include "paddock/core/executor.hpp"
#include "paddock/core/graph.hpp"
#include "paddock/core/pipeline.hpp"
#include "paddock/core/plugin_registry.hpp"
#include "paddock/core/run_output.hpp"
#include "paddock/dataset.hpp"
#include "test_support.hpp"

namespace paddock::evaluators {
namespace {

using testing::read_text;
using testing::TempDir;
using testing::write_text;

const core::PluginRegistry& registry() {
  static core::PluginRegistry* loaded = [] {
    auto* r = new core::PluginRegistry();
    r->load_file(PADDOCK_EVALUATORS_PLUGIN);
    r->load_file(PADDOCK_DATASETS_PLUGIN);
    r->load_file(PADDOCK_FIXTURE_GOOD_PLUGIN);
    return r;
  }();
  return *loaded;
}

std::string jsonl(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string text;
  for (const auto& [instruction, output] : rows) {
    text += nlohmann::json{{"instruction", instruction}, {"input", ""}, {"output", output}}.dump() +
            "\n";
  }
  return text;
}

TEST(EvaluatorsPipeline, RunsFromToml) {
  ASSERT_TRUE(registry().problems().empty()) << registry().problems().front().message;
  TempDir dir;
  write_text(dir / "reference.jsonl",
             jsonl({{"a", "xxx"}, {"b", "xxx"}, {"c", "xxx"}, {"d", "xxx"}}));
  // `long` is longer on three rows and shorter on one; `short` is shorter on every row.
  write_text(dir / "long.jsonl",
             jsonl({{"a", "xxxxx"}, {"b", "xxxxx"}, {"c", "xxxxx"}, {"d", "x"}}));
  write_text(dir / "short.jsonl", jsonl({{"a", "x"}, {"b", "x"}, {"c", "x"}, {"d", "x"}}));
  std::string text = "[pipeline]\nname = \"eval\"\nseed = 3\nworkdir = \"" +
                     (dir / "run").string() +
                     "\"\n"
                     "[nodes.reference]\nuse = \"dataset_file\"\npath = \"reference.jsonl\"\n"
                     "[nodes.judge]\nuse = \"fixture_judge\"\n";
  std::string reports;
  for (const std::string system : {"long", "short"}) {
    text += "[nodes." + system + "]\nuse = \"dataset_file\"\npath = \"" + system + ".jsonl\"\n";
    for (const std::string role : {"simulated", "human"}) {
      const std::string node = "eval_" + system + "_" + role;
      text += "[nodes." + node + "]\nuse = \"win_rate\"\noutputs = \"" + system +
              ".data\"\nreference = \"reference.data\"\njudge = \"judge.annotator\"\nsystem = \"" +
              system + "\"\nrole = \"" + role + "\"\nbatch_size = 3\n";
      reports += (reports.empty() ? "" : ", ") + ("\"" + node + ".report\"");
    }
  }
  text += "[nodes.board]\nuse = \"leaderboard\"\nreports = [" + reports + "]\n";
  write_text(dir / "eval.toml", text);

  auto pipeline =
      core::resolve_pipeline(core::parse_pipeline_text(text, dir / "eval.toml"), registry());
  core::run_pipeline(pipeline, registry(), {}, core::make_logger("test", {}));

  const auto run = dir.path() / "run";
  const auto board = nlohmann::json::parse(read_text(run / "report" / "leaderboard.json"));
  ASSERT_EQ(board["systems"].size(), 2u);
  EXPECT_EQ(board["systems"][0]["name"], "long");
  EXPECT_DOUBLE_EQ(board["systems"][0]["simulated"]["win_rate"].get<double>(), 75.0);
  EXPECT_DOUBLE_EQ(board["systems"][0]["human"]["win_rate"].get<double>(), 75.0);
  EXPECT_EQ(board["systems"][0]["simulated"]["n"], 4);
  EXPECT_DOUBLE_EQ(board["systems"][1]["simulated"]["win_rate"].get<double>(), 0.0);
  EXPECT_TRUE(board["rank_correlation"].is_null());  // two systems only
  EXPECT_TRUE(std::filesystem::exists(run / "report" / "report.html"));
  EXPECT_TRUE(std::filesystem::exists(run / "report" / "leaderboard.md"));

  const Dataset annotations =
      Dataset::load(run / "eval_long_simulated" / "outputs" / "annotations" / "data.jsonl");
  ASSERT_EQ(annotations.size(), 4u);
  EXPECT_EQ(annotations[0]["output_1"], "xxx");
  EXPECT_EQ(annotations[0]["output_2"], "xxxxx");
  EXPECT_EQ(annotations[0]["preference"], 2);
  EXPECT_EQ(annotations[0]["annotator"], "longer_is_better");
}

}  // namespace
}  // namespace paddock::evaluators
