// Port capabilities and parameter rules: refused by validation when a wiring's producer does
// not promise what the input requires, or a rule is broken (both located at the key);
// checked at run time for a Model from a port that promised nothing, and a broken promise
// fails its node; shown by `paddock plugins`; declared wrongly, the plugin is refused.
#include <gtest/gtest.h>

#include "paddock/core/executor.hpp"
#include "paddock/core/graph.hpp"
#include "paddock/core/plugin_describer.hpp"
#include "paddock/core/run_output.hpp"
#include "test_support.hpp"

namespace paddock::core {
namespace {

const std::filesystem::path kFixtures = PADDOCK_FIXTURE_DIR;

const PluginRegistry& registry() {
  static PluginRegistry* r = [] {
    auto* loaded = new PluginRegistry();
    loaded->load_directories({kFixtures / "models"});
    return loaded;
  }();
  return *r;
}

const std::string kHeader = "[pipeline]\nname = \"t\"\n";

// A policy source and a reward source into fixture_learner, with extra learner settings.
std::string pipeline(const std::string& policy_type, const std::string& reward_type,
                     const std::string& learner_extra = "", const std::string& reward_extra = "") {
  return kHeader + "[nodes.policy]\nuse = \"" + policy_type + "\"\n[nodes.reward]\nuse = \"" +
         reward_type + "\"\n" + reward_extra +
         "[nodes.learner]\nuse = \"fixture_learner\"\npolicy = \"policy.model\"\n"
         "reward = \"reward.model\"\n" +
         learner_extra;
}

std::string errors_of(const std::string& text) {
  try {
    resolve_pipeline(parse_pipeline_text(text, "p.toml"), registry());
  } catch (const PipelineError& error) {
    return error.what();
  }
  return "";
}

TEST(PortCapabilities, TheFixtureLoads) {
  ASSERT_NE(registry().find_node_type("fixture_learner"), nullptr)
      << (registry().problems().empty() ? "" : registry().problems().back().message);
}

TEST(PortCapabilities, AWiringFromAnOutputThatDoesNotPromiseTheCapabilityIsRefused) {
  const std::string errors = errors_of(pipeline("fixture_lm", "fixture_lm"));
  EXPECT_NE(errors.find("p.toml:10:10: error: node 'learner' (plugin 'fixture_models 1.0.0'): "
                        "input 'reward' needs a Model with reward, but 'reward.model' "
                        "(fixture_lm) gives one with generate"),
            std::string::npos)
      << errors;
  // The policy port needs generate, which fixture_lm promises.
  EXPECT_EQ(errors.find("input 'policy'"), std::string::npos) << errors;
  EXPECT_EQ(errors_of(pipeline("fixture_lm", "fixture_scorer")), "");
}

TEST(PortCapabilities, AnOutputThatPromisesNothingPassesValidation) {
  EXPECT_EQ(errors_of(pipeline("fixture_lm", "fixture_load")), "");
}

TEST(PortCapabilities, ABrokenRuleIsLocatedAtTheFirstRelatedKeyThePipelineSets) {
  const std::string errors =
      errors_of(pipeline("fixture_lm", "fixture_scorer", "rollouts = 2\nstep_size = 3\n"));
  EXPECT_NE(errors.find("p.toml:12:13: error: node 'learner' (plugin 'fixture_models 1.0.0'): "
                        "parameters step_size, rollouts: step_size exceeds rollouts"),
            std::string::npos)
      << errors;
  // A rule broken by one setting and a default is located at that setting.
  EXPECT_NE(errors_of(pipeline("fixture_lm", "fixture_scorer", "rollouts = 2\n"))
                .find("p.toml:11:12: error"),
            std::string::npos);
  EXPECT_EQ(errors_of(pipeline("fixture_lm", "fixture_scorer", "rollouts = 3\nstep_size = 3\n")),
            "");
}

class CapabilityRunTest : public ::testing::Test {
 protected:
  std::string run(const std::string& nodes) {
    const std::string text =
        "[pipeline]\nname = \"t\"\nworkdir = \"" + (dir_.path() / "run").string() + "\"\n" + nodes;
    try {
      auto resolved =
          resolve_pipeline(parse_pipeline_text(text, dir_.path() / "p.toml"), registry());
      run_pipeline(resolved, registry(), {}, make_logger("test", {}));
    } catch (const std::exception& error) {
      return error.what();
    }
    return "";
  }
  testing::TempDir dir_;
};

TEST_F(CapabilityRunTest, AModelWithoutTheCapabilityFromAnUnpromisingOutputFailsBeforeTheNodeRuns) {
  auto nodes = [](const std::string& reward_capabilities) {
    return "[nodes.policy]\nuse = \"fixture_lm\"\n[nodes.reward]\nuse = \"fixture_load\"\n"
           "capabilities = " +
           reward_capabilities +
           "\n[nodes.learner]\nuse = \"fixture_learner\"\npolicy = \"policy.model\"\n"
           "reward = \"reward.model\"\n";
  };
  const std::string error = run(nodes("[\"generate\"]"));
  EXPECT_NE(error.find("input 'reward' needs a Model with reward, but the one from "
                       "'reward.model' has generate"),
            std::string::npos)
      << error;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "run" / "learner" / "done.json"));
  // The same loader giving a model with a reward head is accepted.
  EXPECT_EQ(run(nodes("[\"generate\", \"reward\"]")), "");
}

TEST_F(CapabilityRunTest, AnOutputThatBreaksItsPromiseFailsItsNode) {
  const std::string error =
      run("[nodes.reward]\nuse = \"fixture_scorer\"\ncapabilities = [\"generate\"]\n");
  EXPECT_NE(error.find("broke its promise: its output 'model' is a Model without reward (it has "
                       "generate)"),
            std::string::npos)
      << error;
}

TEST(PortCapabilities, PluginsListsRulesAndCapabilities) {
  const std::string text = describe_plugins_text(registry());
  EXPECT_NE(text.find("input  reward: Model (with reward)  scores"), std::string::npos) << text;
  EXPECT_NE(text.find("output model: Model (promised reward)"), std::string::npos) << text;
  EXPECT_NE(text.find("rule   step_size, rollouts: a step fits in a round"), std::string::npos)
      << text;
  const auto json = describe_plugins_json(registry());
  bool found = false;
  for (const auto& type : json["plugins"][0]["node_types"]) {
    if (type["name"] != "fixture_learner") continue;
    found = true;
    EXPECT_EQ(type["required_capabilities"]["reward"], nlohmann::json({"reward"}));
    EXPECT_EQ(type["rules"][0]["params"], nlohmann::json({"step_size", "rollouts"}));
  }
  EXPECT_TRUE(found);
}

TEST(PortCapabilities, CapabilitiesOfANonModelPortAreRefusedAtLoading) {
  PluginRegistry loaded;
  EXPECT_FALSE(loaded.load_file(kFixtures / "bad_capabilities" / "fixture_bad_capabilities.so"));
  ASSERT_FALSE(loaded.problems().empty());
  EXPECT_NE(loaded.problems().back().message.find(
                "node type 'fixture_bad_capabilities' declares capabilities of output 'data', a "
                "Dataset (only Model ports have capabilities)"),
            std::string::npos)
      << loaded.problems().back().message;
}

}  // namespace
}  // namespace paddock::core
