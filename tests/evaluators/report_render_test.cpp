// report.html: self-contained (no scripts, no network), escaped, with the table, the bar
// and scatter charts, the training curves and the over-optimisation chart; and, where
// Debian's chromium is installed, actually rendered by a headless browser.
#include <gtest/gtest.h>

#include <regex>

#include "html_report.hpp"
#include "leaderboard.hpp"
#include "metrics_stream.hpp"
#include "svg_charts.hpp"
#include "test_support.hpp"

namespace paddock::evaluators {
namespace {

using Json = nlohmann::ordered_json;
using testing::quote;
using testing::read_text;
using testing::run_command;
using testing::TempDir;
using testing::write_text;

constexpr const char* kChromium = "/usr/bin/chromium";

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++found;
  }
  return found;
}

Leaderboard sample_leaderboard() {
  std::vector<Json> reports;
  const std::vector<std::tuple<std::string, double, double, double>> systems{
      {"gpt4", 79.0, 69.8, 1365},
      {"chatgpt", 61.4, 52.9, 827},
      {"ppo <lr=1e-5> & co", 46.8, 55.1, 1200},
      {"sft10k", 36.7, 44.3, 650}};
  for (const auto& [name, simulated, human, length] : systems) {
    reports.push_back({{"system", name},
                       {"role", "simulated"},
                       {"judge", "gpt4-greedy"},
                       {"win_rate", simulated},
                       {"standard_error", 1.5},
                       {"n_total", 805},
                       {"lc_win_rate", simulated - 2},
                       {"avg_length", length}});
    reports.push_back({{"system", name},
                       {"role", "human"},
                       {"judge", "humans"},
                       {"win_rate", human},
                       {"standard_error", 1.8},
                       {"n_total", 650},
                       {"avg_length", length}});
  }
  return build_leaderboard(reports);
}

// A PPO learner's metrics: proxy reward rising, human win rate peaking, KL growing; plus an
// SFT loss curve, a line from an earlier run that a later one overrides, and junk.
std::string sample_metrics() {
  std::string text;
  auto line = [&](const std::string& node, int step, const std::string& key, double value) {
    text += Json{{"node", node}, {"step", step}, {"key", key}, {"value", value}}.dump() + "\n";
  };
  for (int step = 0; step <= 100; step += 10) {
    line("ppo", step, "reward/proxy", 0.02 * step);
    line("ppo", step, "eval/human_win_rate", 45 + 10 * std::sin(step / 40.0));
    line("ppo", step, "objective/kl", 0.05 * step);
  }
  for (int step = 0; step < 50; ++step) line("sft", step, "train/loss", 2.0 / (1 + step * 0.1));
  line("sft", 0, "train/loss", 99.0);  // a re-run's value replaces the earlier one
  text += "{\"node\": \"sft\", \"step\": 3, \"key\": \"train/loss\", \"value\": null}\n";
  text += "not json\n";
  return text;
}

TEST(MetricsStream, LastValueOfAStepWinsAndJunkIsCounted) {
  TempDir dir;
  write_text(dir / "metrics.jsonl", sample_metrics());
  const MetricsStreamContents contents = read_metrics_stream(dir / "metrics.jsonl");
  EXPECT_EQ(contents.series.size(), 4u);
  EXPECT_EQ(contents.skipped_lines, 2);
  const MetricSeries* loss = find_series(contents, "sft", "train/loss");
  ASSERT_NE(loss, nullptr);
  EXPECT_EQ(loss->points.size(), 50u);
  EXPECT_DOUBLE_EQ(loss->points.front().second, 99.0);
  EXPECT_TRUE(read_metrics_stream(dir / "missing.jsonl").series.empty());
}

// metrics.jsonl is appended forever; the curves merged every run of a node. A fresh start
// marker (the executor's) now drops the node's earlier lines; a resume keeps them.
TEST(MetricsStream, AFreshStartShowsOnlyTheLatestRunAndAResumeContinuesIt) {
  TempDir dir;
  std::string text;
  auto line = [&text](const std::string& node, int step, double value) {
    text +=
        Json{{"node", node}, {"step", step}, {"key", "train/loss"}, {"value", value}}.dump() + "\n";
  };
  auto start = [&text](const std::string& node, bool fresh) {
    text += Json{{"node", node}, {"event", "start"}, {"fresh", fresh}}.dump() + "\n";
  };
  start("sft", true);
  for (int step = 0; step < 10; ++step) line("sft", step, 5.0);  // an earlier configuration
  start("rm", true);
  line("rm", 0, 1.0);
  line("rm", 1, 0.5);
  start("sft", true);  // re-run with other parameters
  line("sft", 0, 2.0);
  line("sft", 1, 1.5);
  start("sft", false);  // interrupted, then resumed from its checkpoint
  line("sft", 1, 1.4);
  line("sft", 2, 1.0);
  write_text(dir / "metrics.jsonl", text);
  const MetricsStreamContents contents = read_metrics_stream(dir / "metrics.jsonl");
  EXPECT_EQ(contents.skipped_lines, 0);
  const MetricSeries* sft = find_series(contents, "sft", "train/loss");
  ASSERT_NE(sft, nullptr);
  EXPECT_EQ(sft->points, (std::vector<std::pair<double, double>>{{0, 2.0}, {1, 1.4}, {2, 1.0}}));
  const MetricSeries* rm = find_series(contents, "rm", "train/loss");
  ASSERT_NE(rm, nullptr);
  EXPECT_EQ(rm->points.size(), 2u);  // another node's start leaves it alone
}

TEST(MetricsStream, ThinningKeepsTheEnds) {
  std::vector<std::pair<double, double>> points;
  for (int i = 0; i < 1000; ++i) points.push_back({i, i});
  const auto thinned = thin_points(points, 10);
  ASSERT_EQ(thinned.size(), 10u);
  EXPECT_EQ(thinned.front().first, 0);
  EXPECT_EQ(thinned.back().first, 999);
}

TEST(SvgCharts, NiceTicksCoverTheRange) {
  EXPECT_EQ(nice_ticks(0, 100, 4), (std::vector<double>{0, 25, 50, 75, 100}));
  const auto ticks = nice_ticks(0.13, 0.87, 5);
  ASSERT_GE(ticks.size(), 2u);
  EXPECT_LE(ticks.front(), 0.13);
  EXPECT_GE(ticks.back(), 0.87);
  EXPECT_NEAR(ticks[1] - ticks[0], 0.2, 1e-12);
}

TEST(HtmlReport, IsSelfContainedAndHasTheTableAndCharts) {
  TempDir dir;
  write_text(dir / "metrics.jsonl", sample_metrics());
  const std::string html = render_report_html(
      sample_leaderboard(), read_metrics_stream(dir / "metrics.jsonl"), HtmlReportOptions{});
  EXPECT_NE(html.find("<table class=\"leaderboard\""), std::string::npos);
  EXPECT_EQ(count(html, "<tr>"), 5u);  // header and four systems
  // Bars (simulated, human), scatter, PPO against step and against KL, 4 training curves.
  EXPECT_EQ(count(html, "<svg "), 2u + 1u + 2u + 4u);
  EXPECT_NE(html.find("class=\"chart bar-chart\""), std::string::npos);
  EXPECT_NE(html.find("class=\"chart scatter-chart\""), std::string::npos);
  EXPECT_NE(html.find("ppo: proxy reward and human win rate"), std::string::npos);
  EXPECT_NE(html.find("ppo: against KL to the reference policy"), std::string::npos);
  EXPECT_NE(html.find("Spearman"), std::string::npos);
  EXPECT_NE(html.find("2 lines of metrics.jsonl"), std::string::npos);
  // Escaped names, no scripts and nothing fetched from elsewhere.
  EXPECT_NE(html.find("ppo &lt;lr=1e-5&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(html.find("ppo <lr"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
}

TEST(HtmlReport, CapsTheNumberOfCurveCharts) {
  std::string text;
  for (int key = 0; key < 30; ++key) {
    for (int step = 0; step < 3; ++step) {
      text +=
          Json{{"node", "n"}, {"step", step}, {"key", "k" + std::to_string(key)}, {"value", step}}
              .dump() +
          "\n";
    }
  }
  TempDir dir;
  write_text(dir / "metrics.jsonl", text);
  HtmlReportOptions options;
  options.max_curve_charts = 5;
  const std::string html =
      render_report_html(sample_leaderboard(), read_metrics_stream(dir / "metrics.jsonl"), options);
  EXPECT_NE(html.find("25 more series are not drawn"), std::string::npos);
  EXPECT_NE(html.find("No learner wrote both"), std::string::npos);
}

class ChromiumRender : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kChromium)) {
      GTEST_SKIP() << kChromium << " is not installed (Debian package `chromium`)";
    }
    write_text(dir_ / "metrics.jsonl", sample_metrics());
    write_text(dir_ / "report.html",
               render_report_html(sample_leaderboard(), read_metrics_stream(dir_ / "metrics.jsonl"),
                                  HtmlReportOptions{}));
  }

  // Headless, offline, with a throw-away profile.
  std::string chromium(const std::string& action) const {
    // `timeout` so that a browser that hangs fails the test instead of stalling the suite.
    return "timeout 120 " + std::string(kChromium) +
           " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
           " --disable-background-networking --disable-component-update --disable-sync"
           " --user-data-dir=" +
           quote((dir_ / "profile").string()) + " " + action + " " +
           quote("file://" + (dir_ / "report.html").string());
  }

  TempDir dir_;
};

TEST_F(ChromiumRender, TheDomHasTheTableAndTheCharts) {
  const auto result = run_command(chromium("--dump-dom"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string& dom = result.output;
  EXPECT_NE(dom.find("<table class=\"leaderboard\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("<td>gpt4</td>"), std::string::npos);
  EXPECT_EQ(count(dom, "<svg "), 9u);
  EXPECT_GE(count(dom, "<rect class=\"bar\""), 8u);
  EXPECT_GE(count(dom, "<path class=\"series\""), 4u);
}

TEST_F(ChromiumRender, AScreenshotIsDrawn) {
  const auto shot = dir_ / "report.png";
  const auto result =
      run_command(chromium("--window-size=1280,2400 --screenshot=" + quote(shot.string())));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  ASSERT_TRUE(std::filesystem::exists(shot)) << result.output;
  const std::string png = read_text(shot);
  ASSERT_GT(png.size(), 20000u);  // a blank page compresses to a few kilobytes
  EXPECT_EQ(png.substr(1, 3), "PNG");
}

}  // namespace
}  // namespace paddock::evaluators
