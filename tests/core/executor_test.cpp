// The executor: caching by fingerprint, partial re-runs, --force and --until, ephemeral
// annotator nodes, failures, and resuming after an interruption.
#include <gtest/gtest.h>

#include "paddock/core/executor.hpp"
#include "paddock/core/files.hpp"
#include "paddock/core/run_output.hpp"
#include "paddock/dataset.hpp"
#include "test_support.hpp"

namespace paddock::core {
namespace {

using testing::read_text;
using testing::TempDir;

const PluginRegistry& registry() {
  static PluginRegistry* r = [] {
    auto* loaded = new PluginRegistry();
    loaded->load_directories({std::filesystem::path(PADDOCK_FIXTURE_DIR) / "good",
                              std::filesystem::path(PADDOCK_FIXTURE_DIR) / "throwing"});
    return loaded;
  }();
  return *r;
}

class ExecutorTest : public ::testing::Test {
 protected:
  // A chain a -> b -> c plus an annotator j feeding report r.
  std::string pipeline_text(const std::string& factor = "2") const {
    const std::string trace = "trace_file = \"" + (dir_ / "trace.txt").string() + "\"\n";
    return "[pipeline]\nname = \"t\"\nseed = 11\nworkdir = \"" + (dir_ / "run").string() +
           "\"\n[nodes.a]\nuse = \"fixture_numbers\"\n" + trace +
           "[nodes.b]\nuse = \"fixture_scale\"\nnumbers = \"a.numbers\"\nfactor = " + factor +
           "\n" + trace +
           "[nodes.c]\nuse = \"fixture_scale\"\nnumbers = \"b.numbers\"\nfactor = 1\n" + trace +
           "[nodes.j]\nuse = \"fixture_judge\"\n" + trace +
           "[nodes.r]\nuse = \"fixture_judge_report\"\nnumbers = \"a.numbers\"\njudge = "
           "\"j.annotator\"\n" +
           trace;
  }

  // Runs and returns the names of the nodes that ran, in order.
  std::string run(const std::string& text, RunOptions options = {}) {
    std::filesystem::remove(dir_ / "trace.txt");
    auto pipeline = resolve_pipeline(parse_pipeline_text(text, dir_ / "p.toml"), registry());
    run_pipeline(pipeline, registry(), options, make_logger("test", {}));
    std::string ran = read_text(dir_ / "trace.txt");
    std::replace(ran.begin(), ran.end(), '\n', ' ');
    return ran;
  }

  Dataset output(const std::string& node, const std::string& port = "numbers") const {
    return Dataset::load(dir_ / "run" / node / "outputs" / port / "data.jsonl");
  }

  void TearDown() override { reset_cancellation(); }

  TempDir dir_;
};

TEST_F(ExecutorTest, FirstRunRunsAllThenEverythingIsCached) {
  EXPECT_EQ(run(pipeline_text()), "a b c j r ");
  EXPECT_EQ(output("c").size(), 5u);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "run" / "a" / "done.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "run" / "j" / "done.json"));  // ephemeral
  EXPECT_EQ(run(pipeline_text()), "");
}

TEST_F(ExecutorTest, ChangedParameterReRunsTheNodeAndItsDescendantsOnly) {
  run(pipeline_text("2"));
  const double before = output("b")[0]["value"];
  EXPECT_EQ(run(pipeline_text("4")), "b c ");
  EXPECT_DOUBLE_EQ(output("b")[0]["value"].get<double>(), before * 2);
}

TEST_F(ExecutorTest, ForceReRunsTheNodeAndItsDescendants) {
  run(pipeline_text());
  RunOptions options;
  options.force = {"b"};
  EXPECT_EQ(run(pipeline_text(), options), "b c ");
  EXPECT_EQ(output("b")[0]["resumed"], false);  // a forced node starts over
  options.force = {"a"};
  EXPECT_EQ(run(pipeline_text(), options), "a b c j r ");
}

TEST_F(ExecutorTest, UntilRunsOnlyTheNodeAndItsAncestors) {
  RunOptions options;
  options.until = "b";
  EXPECT_EQ(run(pipeline_text(), options), "a b ");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "run" / "c"));
  EXPECT_EQ(run(pipeline_text()), "c j r ");
}

TEST_F(ExecutorTest, AnnotatorNodeRunsOnlyWhenItsConsumerRuns) {
  run(pipeline_text());
  RunOptions options;
  options.force = {"r"};
  EXPECT_EQ(run(pipeline_text(), options), "j r ");
}

TEST_F(ExecutorTest, OutputsAreSeededByPipelineSeedAndNodeName) {
  run(pipeline_text());
  const Dataset first = output("a");
  std::filesystem::remove_all(dir_ / "run");
  run(pipeline_text());
  EXPECT_EQ(output("a").records(), first.records());
  std::string renamed = pipeline_text();
  renamed.replace(renamed.find("[nodes.a]"), 9, "[nodes.z]");
  renamed.replace(renamed.find("\"a.numbers\""), 11, "\"z.numbers\"");
  renamed.replace(renamed.find("\"a.numbers\""), 11, "\"z.numbers\"");
  run(renamed);
  EXPECT_NE(output("z").records(), first.records());
}

TEST_F(ExecutorTest, InterruptedNodeResumesWithItsWorkDirectoryAndCachedInputs) {
  run(pipeline_text());
  // As after a kill in the middle of b: its work directory exists, its manifest does not.
  std::filesystem::remove(dir_ / "run" / "b" / "done.json");
  EXPECT_EQ(run(pipeline_text()), "b c ");
  EXPECT_EQ(output("b")[0]["resumed"], true);
}

TEST_F(ExecutorTest, HalfWrittenOrForeignOutputsAreNeverTakenAsDone) {
  run(pipeline_text());
  write_file_atomically(dir_ / "run" / "c" / "done.json", "{\"fingerprint\": \"other\"}");
  testing::write_text(dir_ / "run" / "b" / "done.json", "{\"fingerpr");
  EXPECT_EQ(run(pipeline_text()), "b c ");
}

// A node that marks itself incomplete keeps its outputs for the run that made them, but
// runs again (resuming its work directory) in the next run, and so do its consumers.
TEST_F(ExecutorTest, IncompleteNodeRunsAgainNextTime) {
  std::string text = pipeline_text();
  const std::string marker = "factor = 2\n";
  text.insert(text.find(marker) + marker.size(), "incomplete_reason = \"3 pairs unanswered\"\n");
  EXPECT_EQ(run(text), "a b c j r ");
  EXPECT_EQ(output("c").size(), 5u);
  const auto done = nlohmann::json::parse(read_text(dir_ / "run" / "b" / "done.json"));
  EXPECT_EQ(done.value("incomplete", ""), "3 pairs unanswered");
  EXPECT_EQ(run(text), "b c ");
  EXPECT_EQ(output("b")[0]["resumed"], true);
  EXPECT_EQ(run(pipeline_text()), "b c ");  // complete now
  EXPECT_EQ(run(pipeline_text()), "");
}

// done.json vouches for each committed file's size and digest: a truncated or altered
// output is not taken as done.
TEST_F(ExecutorTest, TruncatedOrAlteredOutputsAreNotTakenAsDone) {
  run(pipeline_text());
  const auto data = dir_ / "run" / "b" / "outputs" / "numbers" / "data.jsonl";
  const auto done = nlohmann::json::parse(read_text(dir_ / "run" / "b" / "done.json"));
  const auto& recorded = done.at("files").at("numbers/data.jsonl");
  EXPECT_EQ(recorded.at("bytes").get<std::uint64_t>(), std::filesystem::file_size(data));
  EXPECT_EQ(recorded.at("fnv1a64").get<std::string>().size(), 16u);

  std::filesystem::resize_file(data, std::filesystem::file_size(data) / 2);
  EXPECT_EQ(run(pipeline_text()), "b c ");
  std::string text = read_text(data);
  text[text.find("value") + 1] = 'V';  // same size, other content
  testing::write_text(data, text);
  EXPECT_EQ(run(pipeline_text()), "b c ");
  std::filesystem::remove(data);
  EXPECT_EQ(run(pipeline_text()), "b c ");
  EXPECT_EQ(run(pipeline_text()), "");
}

TEST_F(ExecutorTest, StaleWorkDirectoryIsWipedWhenParametersChange) {
  run(pipeline_text("2"));
  std::filesystem::remove(dir_ / "run" / "b" / "done.json");
  run(pipeline_text("3"));
  EXPECT_EQ(output("b")[0]["resumed"], false);
}

TEST_F(ExecutorTest, FailingNodeIsReportedWithNodeAndPluginAndNotMarkedDone) {
  const std::string text = "[pipeline]\nname = \"t\"\nworkdir = \"" + (dir_ / "run").string() +
                           "\"\n[nodes.train]\nuse = \"fixture_explode\"\n";
  try {
    run(text);
    FAIL() << "expected a failure";
  } catch (const NodeFailure& failure) {
    EXPECT_STREQ(
        failure.what(),
        "node 'train' (plugin 'fixture_throwing 0.3.0') failed: loss became NaN at step 3");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "run" / "train" / "done.json"));
}

TEST_F(ExecutorTest, NodeThatForgetsAnOutputFails) {
  const std::string text = "[pipeline]\nname = \"t\"\nworkdir = \"" + (dir_ / "run").string() +
                           "\"\n[nodes.f]\nuse = \"fixture_forgetful\"\n";
  EXPECT_THROW(
      {
        try {
          run(text);
        } catch (const NodeFailure& failure) {
          EXPECT_NE(
              std::string(failure.what()).find("finished without setting its output 'report'"),
              std::string::npos);
          throw;
        }
      },
      NodeFailure);
}

TEST_F(ExecutorTest, CancellationStopsBeforeTheNextNode) {
  request_cancellation();
  EXPECT_THROW(run(pipeline_text()), Cancelled);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "run" / "a" / "done.json"));
}

TEST_F(ExecutorTest, MetricsStreamGetsOneLinePerMetric) {
  run(pipeline_text());
  const std::string metrics = read_text(dir_ / "run" / "metrics.jsonl");
  EXPECT_NE(metrics.find(R"({"key":"rows","node":"b","step":1,"value":5.0})"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"({"event":"start","fresh":true,"node":"b"})"), std::string::npos)
      << metrics;
}

// A resumed node's start is marked as not fresh, so its curves continue.
TEST_F(ExecutorTest, AResumedNodeIsMarkedAsNotFreshInTheMetricsStream) {
  std::string text = pipeline_text();
  const std::string marker = "factor = 2\n";
  text.insert(text.find(marker) + marker.size(), "incomplete_reason = \"again\"\n");
  run(text);
  run(text);  // b is incomplete, so it runs again, resuming its work directory
  const std::string metrics = read_text(dir_ / "run" / "metrics.jsonl");
  EXPECT_NE(metrics.find(R"({"event":"start","fresh":false,"node":"b"})"), std::string::npos)
      << metrics;
}

TEST_F(ExecutorTest, FingerprintsDependOnParamsInputsAndSeed) {
  auto fingerprints = [&](const std::string& text) {
    return compute_fingerprints(
        resolve_pipeline(parse_pipeline_text(text, dir_ / "p.toml"), registry()));
  };
  const auto base = fingerprints(pipeline_text("2"));
  const auto changed = fingerprints(pipeline_text("3"));
  EXPECT_EQ(base[0], changed[0]);  // a
  EXPECT_NE(base[1], changed[1]);  // b: its params
  EXPECT_NE(base[2], changed[2]);  // c: its input
  std::string reseeded = pipeline_text("2");
  reseeded.replace(reseeded.find("seed = 11"), 9, "seed = 12");
  EXPECT_NE(fingerprints(reseeded)[0], base[0]);
  EXPECT_EQ(base[0].size(), 32u);
}

}  // namespace
}  // namespace paddock::core
