// `paddock run --nproc 2` end to end on a tiny pipeline: the SFT node trains data-parallel on
// both ranks, the generate node runs on rank 0 alone, only rank 0 writes metrics, and a
// second run finds everything up to date.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace paddock {
namespace {

using testing::quote;
using testing::read_text;
using testing::run_command;
using testing::TempDir;
using testing::write_text;

constexpr const char* kNodes = R"(
[nodes.instructions]
use = "dataset_file"
path = "instructions.jsonl"

[nodes.base]
use = "transformer_init"
corpus = "instructions.data"
vocab_size = 300
hidden_size = 32
layers = 1
heads = 2
max_positions = 96
prompt_without_input = "Q: {instruction}\nA:"
prompt_with_input = "Q: {instruction}\n{input}\nA:"

[nodes.sft]
use = "sft"
model = "base.model"
data = "instructions.data"
epochs = 2
batch_size = 4

[nodes.samples]
use = "generate"
model = "sft.model"
prompts = "instructions.data"
max_new_tokens = 4
)";

// Writes the tiny pipeline with `sft_extra` appended to the sft node; returns the command
// that runs it with two local ranks.
std::string prepare(const TempDir& dir, const std::string& sft_extra = "") {
  std::string instructions;
  for (int i = 0; i < 8; ++i)
    instructions += nlohmann::json{{"instruction", "Add " + std::to_string(i) + " and 2."},
                                   {"input", ""},
                                   {"output", "It is " + std::to_string(i + 2) + "."}}
                        .dump() +
                    "\n";
  write_text(dir.path() / "instructions.jsonl", instructions);
  const auto pipeline = dir.path() / "tiny.toml";
  std::string nodes = kNodes;
  nodes.insert(nodes.find("[nodes.samples]"), sft_extra);
  write_text(pipeline, "[pipeline]\nname = \"tiny\"\nseed = 5\ndevice = \"cpu\"\nworkdir = \"" +
                           (dir.path() / "run").string() + "\"\n" + nodes);
  std::string command = std::string("PADDOCK_THREADS=1 ") + PADDOCK_BINARY + " run " +
                        quote(pipeline.string()) + " --nproc 2 --plugin-path " +
                        quote(PADDOCK_PLUGIN_DIR);
  return command;
}

TEST(NprocPipeline, TwoLocalRanksRunATinyPipeline) {
  TempDir dir;
  const std::string command = prepare(dir);
  const auto first = run_command(command);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("starting 2 ranks on 127.0.0.1"), std::string::npos);
  EXPECT_NE(first.output.find("sft: training data-parallel as rank 0 of 2"), std::string::npos)
      << first.output;
  const auto run = dir.path() / "run";
  for (const char* node : {"instructions", "base", "sft", "samples"})
    EXPECT_TRUE(std::filesystem::exists(run / node / "done.json")) << node;

  // Rank 0 alone writes metrics: one train/loss line per optimizer step (8 rows, batch 4,
  // 2 epochs: 4 steps), and the generate node's samples once.
  int loss_lines = 0;
  std::istringstream metrics(read_text(run / "metrics.jsonl"));
  for (std::string line; std::getline(metrics, line);)
    if (nlohmann::json::parse(line)["key"] == "train/loss") ++loss_lines;
  EXPECT_EQ(loss_lines, 4);
  const std::string samples = read_text(run / "samples" / "outputs" / "outputs" / "data.jsonl");
  EXPECT_EQ(std::count(samples.begin(), samples.end(), '\n'), 8);

  const auto second = run_command(command);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("sft: up to date"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("finished: 0 ran"), std::string::npos) << second.output;
}

// The ranks stop after two of four optimizer steps (stop_after_steps, as if killed); the
// launcher reports the failure; the same command resumes every rank from rank 0's checkpoint.
TEST(NprocPipeline, AStoppedRunResumesFromTheCheckpointOnEveryRank) {
  TempDir dir;
  const std::string command = prepare(dir, "checkpoint_every = 1\nstop_after_steps = 2\n");
  const auto stopped = run_command(command);
  EXPECT_EQ(stopped.exit_code, 1) << stopped.output;
  EXPECT_NE(stopped.output.find("stopped after 2 optimizer steps"), std::string::npos)
      << stopped.output;
  const auto run = dir.path() / "run";
  EXPECT_FALSE(std::filesystem::exists(run / "sft" / "done.json"));
  EXPECT_TRUE(std::filesystem::exists(run / "sft" / "work" / "checkpoints" / "step-2"));

  const auto resumed = run_command(command);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming from"), std::string::npos) << resumed.output;
  EXPECT_TRUE(std::filesystem::exists(run / "sft" / "done.json"));
}

}  // namespace
}  // namespace paddock
