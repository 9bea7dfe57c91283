// The `paddock` command line, run as a user would: every subcommand, exit codes, and a run
// killed in the middle of a node that resumes where it stopped.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

extern char** environ;

namespace paddock {
namespace {

using testing::quote;
using testing::read_text;
using testing::run_command;
using testing::TempDir;
using testing::write_text;

const std::string kPaddock = PADDOCK_BINARY;
const std::string kFixturePath = std::string(" --plugin-path ") + PADDOCK_FIXTURE_DIR "/good";

class CliTest : public ::testing::Test {
 protected:
  // source -> slow scale -> scale; the slow node sleeps `sleep_ms` so it can be interrupted.
  std::filesystem::path write_pipeline(int sleep_ms) {
    const std::string trace = "trace_file = \"" + (dir_ / "trace.txt").string() + "\"\n";
    const auto file = dir_ / "pipeline.toml";
    write_text(file, "[pipeline]\nname = \"cli\"\nseed = 3\nworkdir = \"" +
                         (dir_ / "run").string() +
                         "\"\n[nodes.source]\nuse = \"fixture_numbers\"\n" + trace +
                         "[nodes.slow]\nuse = \"fixture_scale\"\nnumbers = \"source.numbers\"\n"
                         "factor = 2\nsleep_ms = " +
                         std::to_string(sleep_ms) + "\n" + trace +
                         "[nodes.last]\nuse = \"fixture_scale\"\nnumbers = \"slow.numbers\"\n"
                         "factor = 1\n" +
                         trace);
    return file;
  }

  testing::CommandResult paddock(const std::string& arguments) {
    return run_command(kPaddock + " " + arguments);
  }

  // Starts `paddock run` (with `extra` arguments) in the background and returns its pid.
  pid_t start_run(const std::filesystem::path& pipeline, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {kPaddock, "run", pipeline.string(), "--plugin-path",
                                     PADDOCK_FIXTURE_DIR "/good"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, kPaddock.c_str(), nullptr, nullptr, argv.data(), environ), 0);
    return pid;
  }

  // Waits until `file` exists (the node has started), at most 20 s.
  static bool wait_for(const std::filesystem::path& file) {
    for (int i = 0; i < 2000 && !std::filesystem::exists(file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::filesystem::exists(file);
  }

  TempDir dir_;
};

TEST_F(CliTest, HelpAndUsageErrors) {
  auto help = paddock("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("paddock run PIPELINE.toml"), std::string::npos);
  EXPECT_EQ(paddock("").exit_code, 2);
  auto unknown = paddock("frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown command 'frobnicate'"), std::string::npos);
  for (const char* command : {"run", "validate", "plugins", "graph"}) {
    auto result = paddock(std::string(command) + " --help");
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_NE(result.output.find("--plugin-path"), std::string::npos) << command;
  }
  EXPECT_EQ(paddock("run").exit_code, 2);
  EXPECT_EQ(paddock("run x.toml --no-such-flag").exit_code, 2);
  EXPECT_NE(paddock("--version").output.find("paddock 0."), std::string::npos);
}

// `paddock blas-check` loads the system's OpenBLAS (with a kernel when asked) and checks its
// products against a float64 reference; `paddock run` does the same in a child process
// before its plugins load, to replace a generic fallback kernel (tested with fake probes in
// core_tests: no machine here falls back).
TEST_F(CliTest, BlasCheckNamesTheKernelAndChecksItsProducts) {
  auto own = paddock("blas-check --json");
  if (own.exit_code == 2 && own.output.find("cannot load") != std::string::npos)
    GTEST_SKIP() << "no OpenBLAS on this machine: " << own.output;
  ASSERT_EQ(own.exit_code, 0) << own.output;
  const auto report = nlohmann::json::parse(own.output);
  EXPECT_TRUE(report.at("ran").get<bool>());
  EXPECT_TRUE(report.at("correct").get<bool>());
  EXPECT_LT(report.at("largest_error").get<double>(), 1e-5);
  EXPECT_FALSE(report.at("kernel").get<std::string>().empty());

  // Prescott: the generic kernels every x86-64 CPU can run.
  auto generic = paddock("blas-check --kernel Prescott");
  EXPECT_EQ(generic.exit_code, 0) << generic.output;
  EXPECT_NE(generic.output.find("kernel Prescott: products correct"), std::string::npos)
      << generic.output;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    auto haswell = nlohmann::json::parse(paddock("blas-check --kernel Haswell --json").output);
    EXPECT_EQ(haswell.at("kernel"), "Haswell");
    EXPECT_TRUE(haswell.at("correct").get<bool>());
  }
  EXPECT_EQ(paddock("blas-check --no-such-flag").exit_code, 2);
}

TEST_F(CliTest, PluginsListsBundledAndExtraPluginsAsJson) {
  auto result = paddock("plugins --json" + kFixturePath);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output);
  std::vector<std::string> names;
  for (const auto& plugin : json["plugins"]) names.push_back(plugin["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "fixture_good"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "datasets"), names.end());
  EXPECT_TRUE(json["problems"].empty());
  auto text = paddock("plugins" + kFixturePath);
  EXPECT_NE(text.output.find("fixture_scale (transform)"), std::string::npos);
}

TEST_F(CliTest, PluginPathFromEnvironmentIsSearched) {
  auto result = run_command("PADDOCK_PLUGIN_PATH=" PADDOCK_FIXTURE_DIR "/good " + kPaddock +
                            " plugins --json");
  EXPECT_NE(result.output.find("\"fixture_good\""), std::string::npos);
}

TEST_F(CliTest, ValidateAcceptsGoodAndRejectsBadPipelines) {
  const auto file = write_pipeline(0);
  auto good = paddock("validate " + file.string() + kFixturePath);
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_NE(good.output.find("valid, 3 nodes in order: source slow last"), std::string::npos);
  auto bad = paddock("validate " + file.string() + kFixturePath + " --set slow.factr=3");
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.output.find("command line (--set): error: node 'slow' (plugin 'fixture_good "
                            "1.2.0'): unknown parameter or input 'factr'"),
            std::string::npos)
      << bad.output;
  auto missing = paddock("validate " + (dir_ / "none.toml").string());
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.output.find("cannot open the pipeline file"), std::string::npos);
}

// The learners declare what their Model ports need and how their parameters combine, so
// `paddock validate` refuses a wrong wiring and a broken rule with the file and line, before
// anything runs.
TEST_F(CliTest, ValidateRefusesAWrongCapabilityWiringAndABrokenRule) {
#ifndef PADDOCK_WITH_LEARNERS
  GTEST_SKIP() << "built without LibTorch: no learner plugins";
#endif
  const auto file = dir_ / "wiring.toml";
  write_text(file,
             "[pipeline]\nname = \"wiring\"\n"                                             // 1-2
             "[nodes.world]\nuse = \"instruction_world\"\n"                                // 3-4
             "[nodes.base]\nuse = \"transformer_init\"\ncorpus = \"world.sft\"\n"          // 5-7
             "[nodes.sft]\nuse = \"sft\"\nmodel = \"base.model\"\ndata = \"world.sft\"\n"  // 8-11
             "[nodes.ppo]\nuse = \"ppo\"\npolicy = \"sft.model\"\n"                        // 12-14
             "reward = \"sft.model\"\nprompts = \"world.unlabeled\"\n"                     // 15-16
             "rollout_batch_size = 8\nstep_batch_size = 64\n");                            // 17-18
  auto result = paddock("validate " + file.string());
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find(file.string() +
                               ":15:10: error: node 'ppo' (plugin 'ppo 0.2.0'): input 'reward' "
                               "needs a Model with reward, but 'sft.model' (sft) gives one with "
                               "generate, logprobs, train"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find(file.string() +
                               ":18:19: error: node 'ppo' (plugin 'ppo 0.2.0'): parameters "
                               "step_batch_size, rollout_batch_size: step_batch_size (64) "
                               "exceeds the rollouts of a step (8 = rollout_batch_size x "
                               "samples_per_prompt)"),
            std::string::npos)
      << result.output;

  // Wired to a reward model and within the rule, the same pipeline is valid.
  std::string text = read_text(file);
  const std::string wrong_reward = "reward = \"sft.model\"";
  const std::string wrong_step = "step_batch_size = 64";
  text.replace(text.find(wrong_reward), wrong_reward.size(), "reward = \"rm.model\"");
  text.replace(text.find(wrong_step), wrong_step.size(), "step_batch_size = 8");
  text += "[nodes.rm]\nuse = \"reward_model\"\nmodel = \"sft.model\"\npairs = \"world.sft\"\n";
  write_text(file, text);
  auto fixed = paddock("validate " + file.string());
  EXPECT_EQ(fixed.exit_code, 0) << fixed.output;
}

TEST_F(CliTest, GraphPrintsDot) {
  auto result = paddock("graph " + write_pipeline(0).string() + kFixturePath);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("\"source\" -> \"slow\""), std::string::npos) << result.output;
}

TEST_F(CliTest, RunThenRerunIsCachedAndForceAndUntilWork) {
  const auto file = write_pipeline(0);
  auto first = paddock("run " + file.string() + kFixturePath);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(read_text(dir_ / "trace.txt"), "source\nslow\nlast\n");
  EXPECT_TRUE(std::filesystem::exists(dir_ / "run" / "paddock.log"));
  auto second = paddock("run " + file.string() + kFixturePath);
  EXPECT_NE(second.output.find("0 ran"), std::string::npos) << second.output;
  EXPECT_EQ(read_text(dir_ / "trace.txt"), "source\nslow\nlast\n");
  paddock("run " + file.string() + kFixturePath + " --force slow");
  EXPECT_EQ(read_text(dir_ / "trace.txt"), "source\nslow\nlast\nslow\nlast\n");
  EXPECT_EQ(paddock("run " + file.string() + kFixturePath + " --force nope").exit_code, 2);
  EXPECT_EQ(paddock("run " + file.string() + kFixturePath + " --until nope").exit_code, 2);
}

TEST_F(CliTest, FailingNodeExitsWithOneAndNamesNodeAndPlugin) {
  write_text(dir_ / "fail.toml", "[pipeline]\nname = \"f\"\nworkdir = \"" +
                                     (dir_ / "run").string() +
                                     "\"\n[nodes.train]\nuse = \"fixture_explode\"\n");
  auto result = paddock("run " + (dir_ / "fail.toml").string() + " --plugin-path " +
                        PADDOCK_FIXTURE_DIR "/throwing");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("node 'train' (plugin 'fixture_throwing 0.3.0') failed: loss became "
                               "NaN at step 3"),
            std::string::npos)
      << result.output;
}

TEST_F(CliTest, KilledRunResumesAtTheInterruptedNode) {
  const auto file = write_pipeline(3000);
  const pid_t pid = start_run(file);
  ASSERT_TRUE(wait_for(dir_ / "run" / "slow" / "work" / "checkpoint.txt"));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "run" / "slow" / "done.json"));
  EXPECT_EQ(read_text(dir_ / "trace.txt"), "source\nslow\n");

  auto resumed = paddock("run " + file.string() + kFixturePath);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(read_text(dir_ / "trace.txt"), "source\nslow\nslow\nlast\n");  // source was cached
  const std::string output =
      read_text(dir_ / "run" / "slow" / "outputs" / "numbers" / "data.jsonl");
  EXPECT_NE(output.find("\"resumed\":true"), std::string::npos);
}

TEST_F(CliTest, InterruptStopsCleanlyWithExitCode130) {
  const auto file = write_pipeline(10000);
  const pid_t pid = start_run(file);
  ASSERT_TRUE(wait_for(dir_ / "run" / "slow" / "work" / "checkpoint.txt"));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_NE(read_text(dir_ / "run" / "paddock.log").find("interrupted; run the same command again"),
            std::string::npos);
}

// Two runs on one workdir raced and crashed; the second is now refused with a sentence.
TEST_F(CliTest, ASecondRunOnTheSameWorkdirIsRefused) {
  const auto file = write_pipeline(10000);
  const pid_t pid = start_run(file);
  ASSERT_TRUE(wait_for(dir_ / "run" / "slow" / "work" / "checkpoint.txt"));
  const auto second = paddock("run " + file.string() + kFixturePath);
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find("another `paddock run` (pid " + std::to_string(pid) +
                               ") is using the workdir " + (dir_ / "run").string()),
            std::string::npos)
      << second.output;
  EXPECT_EQ(read_text(dir_ / "trace.txt"), "source\nslow\n");  // the second ran nothing
  // The lock goes with its process: the next run resumes.
  EXPECT_EQ(paddock("run " + file.string() + kFixturePath).exit_code, 0);
}

// The pids of the processes whose parent is `parent` (from /proc/PID/stat).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing paren.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return children;
}

// Gone, or a zombie waiting for a reaper.
bool has_exited(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  return line.substr(line.rfind(')') + 2, 1) == "Z";
}

// kill -9 of the --nproc launcher left its ranks running; they now stop with it.
TEST_F(CliTest, KillingTheNprocLauncherStopsItsRanks) {
  const auto file = write_pipeline(60000);
  const pid_t launcher = start_run(file, {"--nproc", "2"});
  ASSERT_TRUE(wait_for(dir_ / "run" / "slow" / "work" / "checkpoint.txt"));
  const std::vector<pid_t> ranks = children_of(launcher);
  ASSERT_EQ(ranks.size(), 2u);
  ::kill(launcher, SIGKILL);
  ::waitpid(launcher, nullptr, 0);
  bool stopped = false;
  for (int i = 0; i < 1500 && !stopped; ++i) {
    stopped = std::all_of(ranks.begin(), ranks.end(), has_exited);
    if (!stopped) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (pid_t rank : ranks)  // whatever happened, leave nothing behind
    if (!has_exited(rank)) ::kill(rank, SIGKILL);
  EXPECT_TRUE(stopped) << "the ranks outlived their launcher";
  EXPECT_FALSE(std::filesystem::exists(dir_ / "run" / "slow" / "done.json"));
}

TEST_F(CliTest, DemoPipelineRunsWithTheBundledPlugins) {
  auto result = paddock("run " PADDOCK_SOURCE_DIR "/configs/demo.toml --set pipeline.workdir=" +
                        quote((dir_ / "demo").string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto report = nlohmann::json::parse(
      read_text(dir_ / "demo" / "stats" / "outputs" / "report" / "report.json"));
  EXPECT_EQ(report["rows"], 8);
}

}  // namespace
}  // namespace paddock
