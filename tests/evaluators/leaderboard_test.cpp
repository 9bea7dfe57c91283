// The leaderboard: grouping by system and role, the rank correlation against hand-computed
// values, and the files the node writes, leaderboard.json's contract above all.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "evaluator_nodes.hpp"
#include "leaderboard.hpp"
#include "node_harness.hpp"
#include "paddock/report.hpp"
#include "test_support.hpp"

namespace paddock::evaluators {
namespace {

using Json = nlohmann::ordered_json;
using testing::read_text;
using testing::TempDir;
using testing::TestNodeContext;

Json win_rate_report(const std::string& system, const std::string& role, double win_rate,
                     double se = 1.5, int n = 100, std::optional<double> lc = std::nullopt,
                     double avg_length = 500, const std::string& judge = "judge") {
  Json report = {{"system", system},        {"judge", judge},       {"role", role},
                 {"win_rate", win_rate},    {"standard_error", se}, {"n_total", n},
                 {"avg_length", avg_length}};
  report["lc_win_rate"] = lc ? Json(*lc) : Json(nullptr);
  return report;
}

TEST(Leaderboard, GroupsReportsBySystemAndRole) {
  const std::vector<Json> reports{
      win_rate_report("sft", "simulated", 36.7, 1.6, 805, 40.0, 700),
      win_rate_report("ppo", "simulated", 46.8, 1.7, 805, 38.0, 1400),
      win_rate_report("ppo", "human", 55.1, 1.8, 805),
      win_rate_report("ppo", "simulated", 10.0, 1.0, 10, std::nullopt, 1, "second-judge"),
      win_rate_report("gpt4", "human", 69.8),
  };
  const Leaderboard board = build_leaderboard(reports);
  ASSERT_EQ(board.systems.size(), 2u);
  EXPECT_EQ(board.systems[0].name, "ppo");  // best simulated win rate first
  EXPECT_DOUBLE_EQ(board.systems[0].simulated.win_rate, 46.8);
  ASSERT_TRUE(board.systems[0].human.has_value());
  EXPECT_DOUBLE_EQ(board.systems[0].human->win_rate, 55.1);
  EXPECT_DOUBLE_EQ(*board.systems[0].lc_win_rate, 38.0);
  EXPECT_DOUBLE_EQ(board.systems[0].avg_length, 1400);
  EXPECT_EQ(board.systems[1].name, "sft");
  EXPECT_FALSE(board.systems[1].human.has_value());
  EXPECT_FALSE(board.rank_correlation.has_value());
  // The duplicate simulated report, the human-only system and the missing correlation.
  ASSERT_EQ(board.notes.size(), 3u);
  EXPECT_NE(board.notes[0].find("second-judge"), std::string::npos);
  EXPECT_NE(board.notes[1].find("gpt4"), std::string::npos);
}

TEST(Leaderboard, RankCorrelationMatchesHandComputedValuesWithTies) {
  // Simulated 10 20 30 40; human 15 30 30 20, ranks 1 3.5 3.5 2.
  // Spearman: deviations (-1.5 -0.5 0.5 1.5) and (-1.5 1 1 -0.5): covariance 1.5, variances
  // 5 and 4.5: 1.5 / sqrt(22.5). Pearson: deviations (-15 -5 5 15) and (-8.75 6.25 6.25
  // -3.75): covariance 75, variances 500 and 168.75: 75 / sqrt(84375).
  const std::vector<Json> reports{
      win_rate_report("a", "simulated", 10), win_rate_report("a", "human", 15),
      win_rate_report("b", "simulated", 20), win_rate_report("b", "human", 30),
      win_rate_report("c", "simulated", 30), win_rate_report("c", "human", 30),
      win_rate_report("d", "simulated", 40), win_rate_report("d", "human", 20),
  };
  const Leaderboard board = build_leaderboard(reports);
  ASSERT_TRUE(board.rank_correlation.has_value());
  EXPECT_NEAR(board.rank_correlation->spearman, 1.5 / std::sqrt(22.5), 1e-12);
  EXPECT_NEAR(board.rank_correlation->pearson, 75.0 / std::sqrt(84375.0), 1e-12);
  EXPECT_EQ(board.rank_correlation->n_systems, 4);
}

TEST(Leaderboard, NoCorrelationBelowThreeSystemsOrWithoutVariation) {
  const std::vector<Json> two{
      win_rate_report("a", "simulated", 10), win_rate_report("a", "human", 15),
      win_rate_report("b", "simulated", 20), win_rate_report("b", "human", 30),
      win_rate_report("c", "simulated", 30)};
  EXPECT_FALSE(build_leaderboard(two).rank_correlation.has_value());
  const std::vector<Json> flat{
      win_rate_report("a", "simulated", 10), win_rate_report("a", "human", 50),
      win_rate_report("b", "simulated", 20), win_rate_report("b", "human", 50),
      win_rate_report("c", "simulated", 30), win_rate_report("c", "human", 50)};
  EXPECT_FALSE(build_leaderboard(flat).rank_correlation.has_value());
}

// Preferences are 1 (the reference wins), 2 (the system wins) or 0 (a tie), scored 0, 100
// and 50 as the win rate scores them; prompts are paired by key, unannotated ones left out.
Json with_prompts(Json report, const std::vector<std::pair<std::string, Json>>& rows) {
  report["per_prompt"] = Json::array();
  for (const auto& [key, preference] : rows)
    report["per_prompt"].push_back({{"key", key}, {"preference", preference}});
  return report;
}

TEST(Leaderboard, PairedDifferencesFromTheBaselineCountWinsTiesAndLossesAsTheWinRateDoes) {
  const std::vector<Json> reports{
      with_prompts(win_rate_report("sft", "human", 25.0),
                   {{"a", 1}, {"b", 1}, {"c", 0}, {"d", 2}, {"e", nullptr}}),
      with_prompts(win_rate_report("ppo", "human", 75.0),
                   {{"a", 2}, {"b", 0}, {"c", 2}, {"d", 2}, {"e", 2}}),
  };
  std::vector<Json> both;
  for (const auto& report : reports) {
    both.push_back(report);
    Json simulated = report;
    simulated["role"] = "simulated";
    both.push_back(simulated);
  }
  const Leaderboard board = build_leaderboard(both, "sft");
  const auto ppo = std::find_if(board.systems.begin(), board.systems.end(),
                                [](const auto& entry) { return entry.name == "ppo"; });
  ASSERT_NE(ppo, board.systems.end());
  ASSERT_TRUE(ppo->human_vs_baseline.has_value());
  // Prompts a to d: differences 100, 50, 50, 0 (e is unannotated for sft).
  EXPECT_EQ(ppo->human_vs_baseline->n, 4);
  EXPECT_DOUBLE_EQ(ppo->human_vs_baseline->difference, 50.0);
  EXPECT_NEAR(ppo->human_vs_baseline->standard_error, std::sqrt(5000.0 / 3.0 / 4.0), 1e-9);

  std::vector<Json> bad = both;
  bad[2]["per_prompt"][0]["preference"] = 3;
  try {
    build_leaderboard(bad, "sft");
    FAIL() << "a preference of 3 was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("is not 0 (tie), 1, 2 or null"), std::string::npos)
        << error.what();
  }
}

TEST(Leaderboard, RejectsReportsThatAreNotWinRates) {
  const std::vector<Json> no_system{Json{{"accuracy", 0.7}}};
  EXPECT_THROW(build_leaderboard(no_system), Error);
  const std::vector<Json> bad_role{win_rate_report("a", "crowd", 10)};
  EXPECT_THROW(build_leaderboard(bad_role), Error);
}

// Checks one {"win_rate": float, "se": float, "n": int} cell.
void expect_cell(const Json& cell) {
  ASSERT_TRUE(cell.is_object());
  EXPECT_TRUE(cell.at("win_rate").is_number_float());
  EXPECT_TRUE(cell.at("se").is_number_float());
  EXPECT_TRUE(cell.at("n").is_number_integer());
}

TEST(LeaderboardNode, WritesTheContractMarkdownAndHtml) {
  TempDir dir;
  const NodeTypeSpec spec = leaderboard_node_type();
  TestNodeContext context(spec, {{"title", "Test board"}}, dir.path());
  for (const auto& [system, simulated, human] :
       std::vector<std::tuple<std::string, double, double>>{
           {"gpt4", 79.0, 69.8}, {"chatgpt", 61.4, 52.9}, {"ppo", 46.8, 55.1}}) {
    context.add_input("reports", std::make_shared<Report>(win_rate_report(
                                     system, "simulated", simulated, 1.2, 805, simulated - 3)));
    context.add_input("reports",
                      std::make_shared<Report>(win_rate_report(system, "human", human, 1.7, 650)));
  }
  context.add_input("reports",
                    std::make_shared<Report>(win_rate_report("llama", "simulated", 11.3)));
  context.run();

  const auto file = dir.path() / "report" / "leaderboard.json";
  const Json written = Json::parse(read_text(file));
  EXPECT_EQ(written, context.output<Report>("report")->content());

  // The contract: {"systems": [...], "rank_correlation": {...} or null}; "notes" extends it.
  ASSERT_TRUE(written.contains("systems"));
  ASSERT_TRUE(written.contains("rank_correlation"));
  ASSERT_EQ(written["systems"].size(), 4u);
  for (const auto& system : written["systems"]) {
    EXPECT_TRUE(system.at("name").is_string());
    expect_cell(system.at("simulated"));
    EXPECT_TRUE(system.at("human").is_null() || system.at("human").is_object());
    if (system.at("human").is_object()) expect_cell(system.at("human"));
    EXPECT_TRUE(system.at("lc_win_rate").is_number() || system.at("lc_win_rate").is_null());
    EXPECT_TRUE(system.at("avg_length").is_number());
  }
  EXPECT_EQ(written["systems"][0]["name"], "gpt4");
  EXPECT_EQ(written["systems"][0]["simulated"]["n"], 805);
  EXPECT_DOUBLE_EQ(written["systems"][0]["lc_win_rate"].get<double>(), 76.0);
  EXPECT_TRUE(written["systems"][3]["human"].is_null());
  EXPECT_TRUE(written["systems"][3]["lc_win_rate"].is_null());
  const Json& correlation = written["rank_correlation"];
  ASSERT_TRUE(correlation.is_object());
  EXPECT_TRUE(correlation.at("spearman").is_number_float());
  EXPECT_TRUE(correlation.at("pearson").is_number_float());
  // Simulated order gpt4 > chatgpt > ppo, human gpt4 > ppo > chatgpt: ranks (3 2 1) and
  // (3 1 2): Spearman 0.5.
  EXPECT_NEAR(correlation["spearman"].get<double>(), 0.5, 1e-12);

  const std::string markdown = read_text(dir.path() / "report" / "leaderboard.md");
  EXPECT_NE(markdown.find("# Test board"), std::string::npos);
  EXPECT_NE(markdown.find("| 1 | gpt4 | 79.0 ± 1.2 | 805 | 69.8 ± 1.7 | 650 | 76.0 |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("Spearman 0.500"), std::string::npos);
  const std::string html = read_text(dir.path() / "report" / "report.html");
  EXPECT_NE(html.find("<table class=\"leaderboard\""), std::string::npos);

  // Only the three files: no temporary files left behind.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(dir.path() / "report")) {
    ++files;
  }
  EXPECT_EQ(files, 3u);
}

}  // namespace
}  // namespace paddock::evaluators
