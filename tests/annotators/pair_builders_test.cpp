// Pair builders: head-to-head joins with merged columns and unmatched rows, and pairs from
// samples by a seeded derangement.
#include <gtest/gtest.h>

#include <set>

#include "pair_builders.hpp"
#include "pair_records.hpp"

namespace paddock::annotators {
namespace {

Record row(const std::string& instruction, const std::string& input, const std::string& output,
           nlohmann::ordered_json extra = nlohmann::ordered_json::object()) {
  Record record = {{"instruction", instruction}, {"input", input}, {"output", output}};
  for (const auto& [key, value] : extra.items()) record[key] = value;
  return record;
}

TEST(PairsHeadToHead, JoinsOnInstructionAndInputAndMergesColumns) {
  Dataset first({row("q1", "", "a1", {{"generator", "sft"}, {"answer", 4}}),
                 row("q2", "x", "a2", {{"generator", "sft"}}), row("q3", "", "a3"),
                 row("q1", "", "a1b", {{"generator", "sft"}})});
  Dataset second({row("q2", "x", "b2", {{"generator", "ppo"}}),
                  row("q1", "", "b1", {{"generator", "ppo"}, {"answer", 4}}),
                  row("q2", "y", "b2y")});
  const HeadToHeadResult result = pairs_head_to_head(first, second, "output");
  ASSERT_EQ(result.pairs.size(), 2u);
  const Record& pair = result.pairs[0];
  EXPECT_EQ(pair["output_1"], "a1");
  EXPECT_EQ(pair["output_2"], "b1");
  EXPECT_EQ(pair["answer"], 4);
  EXPECT_EQ(pair["generator_1"], "sft");
  EXPECT_EQ(pair["generator_2"], "ppo");
  EXPECT_FALSE(pair.contains("output"));
  EXPECT_EQ(result.pairs[1]["input"], "x");
  EXPECT_EQ(result.unmatched_1, 2u);  // q3, and the second q1
  EXPECT_EQ(result.unmatched_2, 1u);  // q2 / y
  EXPECT_EQ(result.unmatched.size(), 3u);
}

TEST(PairsFromSamples, DerangementsHaveNoFixedPointsAndAreSeeded) {
  for (std::size_t n = 2; n < 9; ++n) {
    const auto order = random_derangement(n, 99 + n);
    std::set<std::size_t> values(order.begin(), order.end());
    EXPECT_EQ(values.size(), n);
    for (std::size_t i = 0; i < n; ++i) EXPECT_NE(order[i], i);
    EXPECT_EQ(order, random_derangement(n, 99 + n));
  }
}

TEST(PairsFromSamples, PairsRowsAndArraysWithMergedColumns) {
  Dataset samples({row("q1", "", "s1", {{"id", 1}}), row("q1", "", "s2", {{"id", 2}}),
                   row("q2", "", "t1"), row("q3", "", "same"), row("q3", "", "same")});
  Record many = {
      {"instruction", "q4"}, {"input", "in"}, {"outputs", {"u1", "u2", "u3"}}, {"topic", "maths"}};
  samples.add(many);
  SampleOptions options;
  options.seed = 5;
  const SampleResult result = pairs_from_samples(samples, options);
  EXPECT_EQ(result.instructions, 4u);
  EXPECT_EQ(result.instructions_too_few, 1u);
  EXPECT_EQ(result.identical_dropped, 1u);
  ASSERT_EQ(result.pairs.size(), 1u + 3u);
  const Record& first = result.pairs[0];
  EXPECT_EQ(first["output_1"], "s1");
  EXPECT_EQ(first["output_2"], "s2");
  EXPECT_EQ(first["id_1"], 1);
  EXPECT_EQ(first["id_2"], 2);
  std::set<std::string> seen;
  for (std::size_t i = 1; i < 4; ++i) {
    const Record& pair = result.pairs[i];
    EXPECT_EQ(pair["topic"], "maths");
    EXPECT_EQ(pair["input"], "in");
    EXPECT_NE(pair["output_1"], pair["output_2"]);
    seen.insert(pair["output_1"].get<std::string>());
  }
  EXPECT_EQ(seen.size(), 3u);  // each output leads one pair

  options.max_pairs_per_instruction = 1;
  EXPECT_EQ(pairs_from_samples(samples, options).pairs.size(), 2u);
}

TEST(PairRecords, MetadataCarriesOtherColumnsButNeverAnExistingLabel) {
  const Record record = {{"instruction", "q"}, {"output_1", "a"},  {"output_2", "b"},
                         {"preference", 2},    {"annotator", "x"}, {"answer", "42"}};
  const PreferencePair pair = pair_from_record(record, 0, "pairs");
  EXPECT_EQ(pair.input, "");
  EXPECT_EQ(pair.metadata, (nlohmann::ordered_json{{"answer", "42"}}));
  EXPECT_THROW(pair_from_record({{"instruction", "q"}, {"output_1", "a"}}, 3, "pairs"), Error);
}

}  // namespace
}  // namespace paddock::annotators
