// A third party's view of the SDK: install Paddock, build a plugin in its own tree with
// find_package(Paddock), and load it into the installed host (which must run from its
// install prefix thanks to $ORIGIN-relative RPATHs).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "test_support.hpp"

namespace paddock {
namespace {

using testing::quote;
using testing::run_command;
using testing::TempDir;

// Installs Paddock into `prefix` and builds the example in `example_dir` against it, in
// `build`, as a third party would; the ASSERTs end the calling test on failure.
void install_and_build(const std::string& prefix, const std::string& example_dir,
                       const std::string& build) {
  const std::string cmake = quote(PADDOCK_CMAKE);
  auto install =
      run_command(cmake + " --install " + quote(PADDOCK_BUILD_DIR) + " --prefix " + quote(prefix));
  ASSERT_EQ(install.exit_code, 0) << install.output;
  auto configure =
      run_command(cmake + " -S " + quote(example_dir) + " -B " + quote(build) + " -G " +
                  quote(PADDOCK_GENERATOR) + " -DCMAKE_PREFIX_PATH=" + quote(prefix));
  ASSERT_EQ(configure.exit_code, 0) << configure.output;
  auto compile = run_command(cmake + " --build " + quote(build));
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
}

TEST(Sdk, OutOfTreePluginBuildsAgainstTheInstalledSdkAndLoads) {
  TempDir dir;
  const std::string prefix = (dir / "prefix").string();
  const std::string build = (dir / "example-build").string();
  install_and_build(prefix, PADDOCK_EXAMPLE_DIR, build);
  if (HasFatalFailure()) return;

  // Move the whole install to show nothing points back at the build tree.
  const std::string moved = (dir / "moved").string();
  std::filesystem::rename(prefix, moved);
  auto listing = run_command("PADDOCK_PLUGIN_PATH=" + quote(build + "/plugins") + " " +
                             quote(moved + "/bin/paddock") + " plugins --json");
  ASSERT_EQ(listing.exit_code, 0) << listing.output;
  const auto json = nlohmann::json::parse(listing.output);
  EXPECT_TRUE(json["problems"].empty()) << listing.output;
  std::vector<std::string> names;
  for (const auto& plugin : json["plugins"]) names.push_back(plugin["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "length_annotator"), names.end())
      << listing.output;
  EXPECT_NE(std::find(names.begin(), names.end(), "datasets"), names.end()) << listing.output;
}

// The world's preference prompts answered by its strong and weak systems, judged by its gold
// humans, train a tiny model with the out-of-tree simpo learner.
std::string simpo_pipeline(const std::string& workdir) {
  return "[pipeline]\nname = \"simpo\"\nseed = 5\nworkdir = \"" + workdir +
         "\"\n"
         "[nodes.world]\nuse = \"instruction_world\"\nscale = 0.01\neval_size = 0\n"
         "[nodes.prompts]\nuse = \"dataset_sample\"\ndata = \"world.preference\"\nsize = 32\n"
         "[nodes.strong]\nuse = \"world_system\"\nprompts = \"prompts.data\"\n"
         "quality = \"strong\"\n"
         "[nodes.weak]\nuse = \"world_system\"\nprompts = \"prompts.data\"\n"
         "quality = \"weak\"\n"
         "[nodes.pairs]\nuse = \"pairs_head_to_head\"\noutputs_1 = \"strong.outputs\"\n"
         "outputs_2 = \"weak.outputs\"\n"
         "[nodes.humans]\nuse = \"world_gold_humans\"\n"
         "[nodes.preferences]\nuse = \"annotate\"\npairs = \"pairs.pairs\"\n"
         "annotator = \"humans.annotator\"\n"
         "[nodes.base]\nuse = \"transformer_init\"\ncorpus = \"world.sft\"\nvocab_size = 300\n"
         "hidden_size = 32\nlayers = 1\nheads = 2\nmax_positions = 256\n"
         "[nodes.simpo]\nuse = \"simpo\"\nmodel = \"base.model\"\n"
         "pairs = \"preferences.annotated\"\nepochs = 4\nbatch_size = 8\n"
         "learning_rate = 3e-3\nwarmup_ratio = 0.0\ncheckpoint_every = 2\n"
         "stop_after_steps = 6\n";
}

// The simpo node's loss values, in order, from the run's metrics stream.
std::vector<double> simpo_losses(const std::filesystem::path& workdir) {
  std::vector<double> losses;
  std::istringstream lines(testing::read_text(workdir / "metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const auto point = nlohmann::json::parse(line);
    if (point.value("node", "") == "simpo" && point.value("key", "") == "train/loss")
      losses.push_back(point["value"].get<double>());
  }
  return losses;
}

// A third party's learner: built against the installed SDK's `learning` component, dropped
// into a plugins folder, listed by `paddock plugins` with its rule, run from a pipeline on
// the world; it learns, and a run stopped midway resumes to the uninterrupted run's weights.
TEST(Sdk, OutOfTreeLearnerBuildsLearnsAndResumes) {
#ifndef PADDOCK_WITH_LEARNERS
  GTEST_SKIP() << "built without LibTorch: no learning component";
#endif
  TempDir dir;
  const std::string prefix = (dir / "prefix").string();
  const std::string build = (dir / "simpo-build").string();
  install_and_build(prefix, PADDOCK_SIMPO_EXAMPLE_DIR, build);
  if (HasFatalFailure()) return;

  const std::string paddock =
      "PADDOCK_PLUGIN_PATH=" + quote(build + "/plugins") + " " + quote(prefix + "/bin/paddock");
  auto listing = run_command(paddock + " plugins");
  ASSERT_EQ(listing.exit_code, 0) << listing.output;
  EXPECT_NE(listing.output.find("Plugin simpo 0.1.0"), std::string::npos) << listing.output;
  EXPECT_NE(listing.output.find("rule   beta: beta is positive"), std::string::npos);
  EXPECT_EQ(listing.output.find("Not loaded"), std::string::npos) << listing.output;

  // Uninterrupted: stop_after_steps only stops a fresh run, so a second run is resumed.
  const auto whole = dir / "whole";
  const auto pipeline = dir / "simpo.toml";
  testing::write_text(pipeline, simpo_pipeline(whole.string()));
  auto stopped = run_command(paddock + " run " + quote(pipeline.string()));
  ASSERT_NE(stopped.exit_code, 0) << stopped.output;
  EXPECT_NE(stopped.output.find("stopped after 6"), std::string::npos) << stopped.output;
  auto resumed = run_command(paddock + " run " + quote(pipeline.string()));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resum"), std::string::npos) << resumed.output;

  const auto straight = dir / "straight";
  std::string text = simpo_pipeline(straight.string());
  text.replace(text.find("stop_after_steps = 6"), 20, "stop_after_steps = 0");
  testing::write_text(pipeline, text);
  auto uninterrupted = run_command(paddock + " run " + quote(pipeline.string()));
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.output;

  // The saved weights: every safetensors file of the model output, in name order.
  const auto weights = [](const std::filesystem::path& workdir) {
    std::map<std::string, std::string> files;
    for (const auto& entry :
         std::filesystem::directory_iterator(workdir / "simpo" / "outputs" / "model")) {
      if (entry.path().extension() == ".safetensors")
        files[entry.path().filename().string()] = testing::read_text(entry.path());
    }
    return files;
  };
  ASSERT_FALSE(weights(straight).empty());
  EXPECT_TRUE(weights(whole) == weights(straight))
      << "the resumed run's weights differ from the uninterrupted run's";

  // It learns: the loss falls, the preferred responses gain probability and lead by more.
  const auto report = nlohmann::json::parse(
      testing::read_text(straight / "simpo" / "outputs" / "report" / "report.json"));
  EXPECT_GT(report["chosen_logprob_after"].get<double>(),
            report["chosen_logprob_before"].get<double>())
      << report.dump();
  EXPECT_GT(report["reward_margin_after"].get<double>(),
            report["reward_margin_before"].get<double>())
      << report.dump();
  const auto losses = simpo_losses(straight);
  ASSERT_GE(losses.size(), 8u);
  EXPECT_LT(losses.back(), losses.front()) << report.dump();
}

}  // namespace
}  // namespace paddock
