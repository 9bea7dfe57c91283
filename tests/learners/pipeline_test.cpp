// All six learner node types from a TOML pipeline, run by the executor with the real plugin
// files: a tiny model is initialised, fine-tuned, turned into a reward model, sampled from,
// best-of-n'd, expert-iterated and DPO-trained; a second run finds everything up to date.
#include <gtest/gtest.h>

#include <cstdlib>

#include "paddock/core/executor.hpp"
#include "paddock/core/pipeline.hpp"
#include "paddock/core/plugin_registry.hpp"
#include "paddock/core/run_output.hpp"
#include "paddock/dataset.hpp"
#include "test_support.hpp"

namespace paddock::learning {
namespace {

using paddock::testing::read_text;
using paddock::testing::TempDir;
using paddock::testing::write_text;

const core::PluginRegistry& registry() {
  static core::PluginRegistry* loaded = [] {
    ::setenv("PADDOCK_THREADS", "1", /*overwrite=*/0);  // tiny models: one thread is fastest
    auto* r = new core::PluginRegistry();
    for (const char* file :
         {PADDOCK_DATASETS_PLUGIN, PADDOCK_TRANSFORMER_PLUGIN, PADDOCK_SFT_PLUGIN,
          PADDOCK_REWARD_MODEL_PLUGIN, PADDOCK_GENERATE_PLUGIN, PADDOCK_BEST_OF_N_PLUGIN,
          PADDOCK_EXPERT_ITERATION_PLUGIN, PADDOCK_DPO_PLUGIN})
      r->load_file(file);
    return r;
  }();
  return *loaded;
}

constexpr const char* kNodes = R"(
[nodes.instructions]
use = "dataset_file"
path = "instructions.jsonl"

[nodes.preferences]
use = "dataset_file"
path = "pairs.jsonl"
required_columns = ["instruction", "output_1", "output_2", "preference"]

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
val = "instructions.data"
epochs = 2
batch_size = 2
checkpoint_every = 1

[nodes.rm]
use = "reward_model"
model = "sft.model"
pairs = "preferences.data"
epochs = 1
batch_size = 2
eval_pairs = 2

[nodes.samples]
use = "generate"
model = "sft.model"
prompts = "instructions.data"
max_new_tokens = 6
samples_per_prompt = 2

[nodes.bon]
use = "best_of_n"
model = "sft.model"
reward = "rm.model"
prompts = "instructions.data"
n = 2
max_new_tokens = 6

[nodes.ei]
use = "expert_iteration"
model = "sft.model"
reward = "rm.model"
prompts = "instructions.data"
start = "sft.model"
n = 2
max_new_tokens = 6
epochs = 1
batch_size = 2

[nodes.dpo]
use = "dpo"
model = "sft.model"
pairs = "preferences.data"
epochs = 1
batch_size = 2
)";

TEST(LearnersPipeline, AllSixRunFromToml) {
  for (const auto& problem : registry().problems()) ADD_FAILURE() << problem.message;
  TempDir dir;
  std::string instructions, pairs;
  for (int i = 0; i < 4; ++i) {
    const std::string instruction = "Add " + std::to_string(i) + " and 2.";
    const std::string answer = "The answer is " + std::to_string(i + 2) + ".";
    instructions +=
        nlohmann::json{{"instruction", instruction}, {"input", ""}, {"output", answer}}.dump() +
        "\n";
    pairs += nlohmann::json{{"instruction", instruction},
                            {"input", ""},
                            {"output_1", answer},
                            {"output_2", "I do not know."},
                            {"preference", i % 2 == 0 ? 1 : 2}}
                 .dump() +
             "\n";
  }
  write_text(dir / "instructions.jsonl", instructions);
  write_text(dir / "pairs.jsonl", pairs);
  const std::string text = "[pipeline]\nname = \"learners\"\nseed = 7\nworkdir = \"" +
                           (dir / "run").string() + "\"\n" + kNodes;
  write_text(dir / "learners.toml", text);
  auto pipeline =
      core::resolve_pipeline(core::parse_pipeline_text(text, dir / "learners.toml"), registry());
  core::run_pipeline(pipeline, registry(), {}, core::make_logger("test", {}));

  const auto run = dir.path() / "run";
  for (const char* node : {"sft", "rm", "samples", "bon", "ei", "dpo"})
    EXPECT_TRUE(std::filesystem::exists(run / node / "done.json")) << node;
  EXPECT_EQ(Dataset::load(run / "samples" / "outputs" / "outputs" / "data.jsonl").size(), 8u);
  const Dataset best = Dataset::load(run / "bon" / "outputs" / "outputs" / "data.jsonl");
  ASSERT_EQ(best.size(), 4u);
  EXPECT_TRUE(best[0].contains("reward"));
  const auto report =
      nlohmann::json::parse(read_text(run / "rm" / "outputs" / "report" / "report.json"));
  EXPECT_EQ(report["held_out_pairs"], 2);
  EXPECT_TRUE(std::filesystem::exists(run / "sft" / "work" / "checkpoints" / "latest"));
  EXPECT_TRUE(std::filesystem::exists(run / "ei" / "outputs" / "winners" / "data.jsonl"));
  EXPECT_TRUE(std::filesystem::exists(run / "dpo" / "outputs" / "model"));

  // Everything is cached the second time.
  const auto done_before = read_text(run / "dpo" / "done.json");
  core::run_pipeline(pipeline, registry(), {}, core::make_logger("test", {}));
  EXPECT_EQ(read_text(run / "dpo" / "done.json"), done_before);
}

}  // namespace
}  // namespace paddock::learning
