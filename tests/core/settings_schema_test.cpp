// SettingsSchema: one declaration per parameter gives the schema (defaults from the struct),
// the read, enum names both ways, groups with their rules, and rules the host runs through
// its own parameter resolution.
#include <gtest/gtest.h>

#include "paddock/core/param_resolution.hpp"
#include "paddock/error.hpp"
#include "paddock/settings_schema.hpp"

namespace paddock {
namespace {

enum class Mode { fast, careful };

struct Optimizer {
  double learning_rate = 1e-3;
  std::int64_t warmup = 10;
};

struct Learner {
  std::int64_t steps = 100;
  bool verbose = false;
  std::string label = "run";
  Mode mode = Mode::careful;
  std::vector<std::string> stop = {"\n"};
  Optimizer optimizer;
};

SettingsSchema<Optimizer> optimizer_schema() {
  SettingsSchema<Optimizer> schema;
  schema.number("learning_rate", &Optimizer::learning_rate, "step size", 0.0)
      .integer("warmup", &Optimizer::warmup, "warmup steps", 0.0)
      .rule({"learning_rate"}, "learning_rate is positive", [](const Optimizer& o) {
        return o.learning_rate > 0 ? "" : "learning_rate must be above 0";
      });
  return schema;
}

SettingsSchema<Learner> learner_schema() {
  SettingsSchema<Learner> schema;
  schema.integer("steps", &Learner::steps, "optimizer steps", 1.0, 1000.0)
      .boolean("verbose", &Learner::verbose, "say more")
      .text("label", &Learner::label, "a name", {"run", "trial"})
      .choice("mode", &Learner::mode, "how", {{"fast", Mode::fast}, {"careful", Mode::careful}})
      .strings("stop", &Learner::stop, "stop strings")
      .group(&Learner::optimizer, optimizer_schema())
      .rule({"warmup", "steps"}, "warmup ends before the last step", [](const Learner& l) {
        return l.optimizer.warmup < l.steps ? "" : "warmup must be shorter than steps";
      });
  return schema;
}

NodeTypeSpec node_type(const SettingsSchema<Learner>& schema, const Learner& defaults = {}) {
  NodeTypeSpec spec;
  spec.name = "learner";
  spec.params = schema.specs(defaults);
  return spec;
}

TEST(SettingsSchema, SpecsTakeTheirDefaultsFromTheStruct) {
  Learner defaults;
  defaults.steps = 7;
  defaults.mode = Mode::fast;
  const auto specs = learner_schema().specs(defaults);
  ASSERT_EQ(specs.size(), 7u);
  EXPECT_EQ(specs[0].name, "steps");
  EXPECT_EQ(specs[0].type, ParamType::integer);
  EXPECT_EQ(specs[0].default_value, 7);
  EXPECT_EQ(specs[0].minimum, 1.0);
  EXPECT_EQ(specs[0].maximum, 1000.0);
  EXPECT_EQ(specs[2].choices, (std::vector<std::string>{"run", "trial"}));
  EXPECT_EQ(specs[3].default_value, "fast");  // the enum's name
  EXPECT_EQ(specs[3].choices, (std::vector<std::string>{"fast", "careful"}));
  EXPECT_EQ(specs[4].default_value, nlohmann::json::array({"\n"}));
  EXPECT_EQ(specs[5].name, "learning_rate");  // the group's, in place
  EXPECT_EQ(specs[5].default_value, 1e-3);
  EXPECT_EQ(learner_schema().specs()[3].default_value, "careful");
}

TEST(SettingsSchema, TheHostsResolutionThenReadGiveTheStruct) {
  const auto schema = learner_schema();
  const Params params = core::resolve_params(
      node_type(schema), schema.param_rules(),
      {{"steps", 50}, {"mode", "fast"}, {"learning_rate", 1}, {"stop", nlohmann::json::array()}});
  const Learner learner = schema.read(params);
  EXPECT_EQ(learner.steps, 50);
  EXPECT_EQ(learner.mode, Mode::fast);
  EXPECT_DOUBLE_EQ(learner.optimizer.learning_rate, 1.0);
  EXPECT_EQ(learner.optimizer.warmup, 10);
  EXPECT_TRUE(learner.stop.empty());
  EXPECT_EQ(learner.label, "run");
}

TEST(SettingsSchema, RulesOfTheNodeAndOfItsGroupsRunInTheHostsResolution) {
  const auto schema = learner_schema();
  try {
    core::resolve_params(node_type(schema), schema.param_rules(),
                         {{"steps", 5}, {"warmup", 5}, {"learning_rate", 0.0}});
    FAIL() << "no error";
  } catch (const Error& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("parameter learning_rate: learning_rate must be above 0"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("parameters warmup, steps: warmup must be shorter than steps"),
              std::string::npos)
        << text;
  }
  // read() checks the rules too, for a node run without a host.
  Params params(nlohmann::json{{"steps", 5},
                               {"verbose", false},
                               {"label", "run"},
                               {"mode", "fast"},
                               {"stop", nlohmann::json::array()},
                               {"learning_rate", 0.1},
                               {"warmup", 9}});
  EXPECT_THROW(schema.read(params), Error);
}

TEST(SettingsSchema, UndeclaredAndIllTypedValuesAreRefusedByTheHost) {
  const auto schema = learner_schema();
  try {
    core::resolve_params(node_type(schema), {}, {{"step", 5}, {"mode", "slow"}});
    FAIL() << "no error";
  } catch (const Error& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("unknown parameter or input 'step' for node type 'learner'; did you "
                        "mean 'steps'?"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("parameter 'mode': \"slow\" is not one of \"fast\", \"careful\""),
              std::string::npos)
        << text;
  }
}

TEST(SettingsSchema, WithoutLeavesAParameterOutOfSchemaAndRead) {
  auto schema = learner_schema();
  schema.without("verbose");
  EXPECT_FALSE(schema.declares("verbose"));
  EXPECT_TRUE(schema.declares("warmup"));
  EXPECT_EQ(schema.specs().size(), 6u);
  Learner base;
  base.verbose = true;
  const Learner learner = schema.read(
      core::resolve_params(node_type(schema), schema.param_rules(), nlohmann::json::object()),
      base);
  EXPECT_TRUE(learner.verbose);  // kept from the base: not a parameter
}

}  // namespace
}  // namespace paddock
