// The instruction world's generation: determinism from the seed, AlpacaFarm's split sizes,
// disjoint splits, hidden columns, the teacher's imperfection and parameter errors.
#include <gtest/gtest.h>

#include <set>
#include <unordered_set>

#include "families.hpp"
#include "paddock/error.hpp"
#include "text_util.hpp"
#include "utility.hpp"
#include "world_config.hpp"
#include "world_generator.hpp"

namespace paddock::world {
namespace {

// Version 1's world; version 2 has tests of its own (world_v2_test.cpp).
WorldConfig small_config(double scale = 0.02) {
  WorldConfig config;
  config.version = 1;
  config.scale = scale;
  return config;
}

std::string dump(const Dataset& dataset) {
  std::string text;
  for (const Record& record : dataset.records()) text += record.dump() + "\n";
  return text;
}

TEST(WorldGeneration, SameSeedGivesTheSameWorld) {
  const WorldDatasets first = generate_world(small_config(), 7);
  const WorldDatasets second = generate_world(small_config(), 7);
  EXPECT_EQ(dump(first.sft), dump(second.sft));
  EXPECT_EQ(dump(first.preference), dump(second.preference));
  EXPECT_EQ(dump(first.unlabeled), dump(second.unlabeled));
  EXPECT_EQ(dump(first.val), dump(second.val));
  EXPECT_EQ(dump(first.eval), dump(second.eval));
  const WorldDatasets other = generate_world(small_config(), 8);
  EXPECT_NE(dump(first.sft), dump(other.sft));
  EXPECT_NE(dump(first.eval), dump(other.eval));
}

TEST(WorldGeneration, SplitSizesFollowAlpacaFarm) {
  const SplitSizes full = split_sizes(1.0);
  EXPECT_EQ(full.sft, 10000u);
  EXPECT_EQ(full.preference, 20000u);
  EXPECT_EQ(full.unlabeled, 20000u);
  EXPECT_EQ(full.val, 2000u);
  EXPECT_EQ(full.eval, 805u);
  const SplitSizes tiny = split_sizes(0.01);
  EXPECT_EQ(tiny.sft, 100u);
  EXPECT_EQ(tiny.eval, 8u);
  EXPECT_EQ(split_sizes(1e-4).eval, 1u);  // never an empty split
  const WorldDatasets world = generate_world(small_config(0.01), 3);
  EXPECT_EQ(world.sft.size(), 100u);
  EXPECT_EQ(world.preference.size(), 200u);
  EXPECT_EQ(world.unlabeled.size(), 200u);
  EXPECT_EQ(world.val.size(), 20u);
  EXPECT_EQ(world.eval.size(), 8u);
}

TEST(WorldGeneration, EvalSizeOverridesTheScaledEvalSplitAndKeepsItsFirstPrompts) {
  WorldConfig config = small_config(0.01);
  config.eval_size = 30;
  EXPECT_EQ(split_sizes(config).eval, 30u);
  EXPECT_EQ(split_sizes(config).sft, 100u);
  const WorldTasks larger = generate_world_tasks(config, 3);
  const WorldTasks scaled = generate_world_tasks(small_config(0.01), 3);
  ASSERT_EQ(larger.eval.size(), 30u);
  // The eval split is drawn first from its own stream: the scaled set is a prefix.
  for (std::size_t i = 0; i < scaled.eval.size(); ++i)
    EXPECT_EQ(larger.eval[i].instruction, scaled.eval[i].instruction) << i;
  EXPECT_EQ(larger.sft.size(), 100u);
}

TEST(WorldGeneration, FullScaleSplitsAreDisjointAndMixed) {
  const WorldTasks tasks = generate_world_tasks(small_config(1.0), 11);
  std::unordered_set<std::string> prompts;
  std::map<std::string, std::size_t> per_family;
  std::size_t total = 0, with_input = 0;
  for (const auto* split :
       {&tasks.sft, &tasks.preference, &tasks.unlabeled, &tasks.val, &tasks.eval}) {
    for (const Task& task : *split) {
      EXPECT_TRUE(prompts.insert(prompt_key(task.instruction, task.input)).second)
          << "repeated prompt: " << task.instruction << " / " << task.input;
      ++per_family[task.family];
      ++total;
      with_input += !task.input.empty();
    }
  }
  EXPECT_EQ(total, 52805u);
  EXPECT_EQ(per_family.size(), chosen_families({}, /*version=*/1).size());
  for (const auto& [family, count] : per_family) {
    // `opposites` asks 72 fixed questions through 8 templates: at full scale it runs out of
    // distinct prompts (576) and the other families take its share.
    const std::size_t expected =
        family == "opposites" ? std::size_t{500} : total / all_families().size() / 2;
    EXPECT_GT(count, expected) << family;
  }
  const double input_share = static_cast<double>(with_input) / static_cast<double>(total);
  EXPECT_NEAR(input_share, 0.30, 0.02);
}

TEST(WorldGeneration, EvalSetIsAPrefixOfALargerWorldsEvalSet) {
  const WorldTasks small = generate_world_tasks(small_config(0.05), 5);
  const WorldTasks large = generate_world_tasks(small_config(0.1), 5);
  ASSERT_LT(small.eval.size(), large.eval.size());
  for (std::size_t i = 0; i < small.eval.size(); ++i) {
    EXPECT_EQ(small.eval[i].instruction, large.eval[i].instruction);
    EXPECT_EQ(small.eval[i].input, large.eval[i].input);
  }
}

TEST(WorldGeneration, RecordsAreAlpacaFormatWithHiddenColumns) {
  const WorldDatasets world = generate_world(small_config(), 2);
  for (const Record& record : world.sft.records()) {
    auto key = record.begin();
    EXPECT_EQ(key.key(), "instruction");
    EXPECT_EQ((++key).key(), "input");
    EXPECT_EQ((++key).key(), "output");
    for (std::string_view column : kHiddenColumns) {
      EXPECT_TRUE(record.contains(std::string(column))) << column;
    }
    EXPECT_FALSE(record["output"].get<std::string>().empty());
  }
  for (const Record& record : world.eval.records()) {
    EXPECT_EQ(record["generator"], "world_reference");
    EXPECT_EQ(record["dataset"], record["family"]);
  }
}

TEST(WorldGeneration, TeacherIsMostlyRightInVariedStyles) {
  const WorldTasks tasks = generate_world_tasks(small_config(0.2), 4);
  const WorldDatasets world = generate_world(small_config(0.2), 4);
  ASSERT_EQ(tasks.sft.size(), world.sft.size());
  std::size_t correct = 0, lists = 0, repetitive = 0, terse = 0, unclean = 0;
  for (std::size_t i = 0; i < tasks.sft.size(); ++i) {
    const std::string output = world.sft[i]["output"].get<std::string>();
    const ResponseFeatures features = measure_response(tasks.sft[i], output);
    correct += features.correctness == 1.0;
    lists += features.list_format;
    repetitive += features.repetition > 0.05;
    terse += features.words <= 4;
    unclean += !features.clean_ending;
  }
  const double n = static_cast<double>(tasks.sft.size());
  EXPECT_GT(correct / n, 0.70);
  EXPECT_LT(correct / n, 0.90);
  EXPECT_GT(lists / n, 0.08);
  EXPECT_GT(repetitive / n, 0.10);
  EXPECT_GT(terse / n, 0.10);
  EXPECT_GT(unclean / n, 0.01);
}

void expect_param_error(const nlohmann::json& params, const std::string& fragment) {
  try {
    world_config_from_params(Params(params));
    FAIL() << "expected an error mentioning: " << fragment;
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(WorldGeneration, MalformedParametersGiveClearErrors) {
  expect_param_error({{"scale", 0.0}}, "parameter 'scale' must be above 0");
  expect_param_error({{"scale", -2.0}}, "parameter 'scale'");
  expect_param_error({{"scale", "big"}}, "parameter 'scale' must be a number");
  expect_param_error({{"families", {"addition", "poetry"}}},
                     "unknown family 'poetry'; known families: addition,");
  expect_param_error({{"families", {"addition", "addition"}}}, "lists 'addition' twice");
  expect_param_error({{"families", "addition"}}, "'families' must be a list of family names");
  expect_param_error({{"input_fraction", 1.5}}, "'input_fraction' must lie in [0, 1]");
  expect_param_error({{"fact_base_size", 5}}, "'fact_base_size' must lie in [20, 100000]");
  expect_param_error({{"corpus_documents", -1}},
                     "'corpus_documents' must lie in [0, 10000000], got -1");
  expect_param_error({{"corpus_documents", "many"}}, "'corpus_documents' must be an integer");
  expect_param_error({{"eval_size", -3}}, "'eval_size' must lie in [0, 100000]");
  expect_param_error({{"eval_size", "all"}}, "'eval_size' must be an integer");
  expect_param_error({{"version", 3}}, "'version' must be 1 or 2, got 3");
  expect_param_error({{"version", "two"}}, "'version' must be 1 or 2");
  expect_param_error({{"version", 1}, {"probes_per_family", 5}},
                     "'probes_per_family' needs version = 2");
  const WorldConfig fine = world_config_from_params(Params(nlohmann::json{
      {"scale", 0.5}, {"families", {"sorting", "counting"}}, {"input_fraction", 0}}));
  EXPECT_EQ(fine.families.size(), 2u);
}

TEST(WorldGeneration, TooNarrowAWorldFailsWithAHint) {
  WorldConfig config;
  config.families = {"fact_lookup"};
  config.fact_base_size = 20;
  try {
    generate_world_tasks(config, 1);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("lower 'scale' or enable more families"),
              std::string::npos)
        << error.what();
  }
}

TEST(WorldGeneration, FactBaseHasDistinctNames) {
  const FactBase facts = FactBase::generate(42, 300);
  std::set<std::string> names;
  for (const Country& country : facts.countries()) {
    EXPECT_TRUE(names.insert(country.name).second) << country.name;
    EXPECT_TRUE(names.insert(country.capital).second) << country.capital;
  }
}

}  // namespace
}  // namespace paddock::world
