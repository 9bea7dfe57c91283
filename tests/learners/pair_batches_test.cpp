// Reward-model micro-batches: a response shared by pairs is one sequence; pairs group by
// prompt in order; the prompts per micro-batch hold about the asked-for pairs.
#include "paddock/learning/pair_batches.hpp"

#include <gtest/gtest.h>

namespace paddock::learning {
namespace {

SequencePair pair_of(std::vector<std::int64_t> first, std::vector<std::int64_t> second,
                     std::size_t prompt) {
  SequencePair pair;
  pair.first.ids = std::move(first);
  pair.second.ids = std::move(second);
  pair.prompt = prompt;
  return pair;
}

// A prompt's four samples a, b, c, d paired as a derangement: (a,b), (b,c), (c,d), (d,a).
TEST(PairBatches, EachDistinctResponseIsOneSequence) {
  const std::vector<std::int64_t> a = {7, 1}, b = {7, 2}, c = {7, 3, 3}, d = {7, 4};
  const std::vector<SequencePair> pairs = {pair_of(a, b, 0), pair_of(b, c, 0), pair_of(c, d, 0),
                                           pair_of(d, a, 0), pair_of({9, 1}, {9, 2}, 1)};
  const DistinctSides sides = distinct_sides(pairs, {0, 1, 2, 3});
  ASSERT_EQ(sides.sequences.size(), 4u);
  ASSERT_EQ(sides.first.size(), 4u);
  ASSERT_EQ(sides.second.size(), 4u);
  for (std::size_t row = 0; row < 4; ++row) {
    EXPECT_EQ(sides.sequences[sides.first[row]]->ids, pairs[row].first.ids) << row;
    EXPECT_EQ(sides.sequences[sides.second[row]]->ids, pairs[row].second.ids) << row;
  }
  // Firsts come first, in row order: with no repeats the batch is firsts then seconds.
  const DistinctSides apart = distinct_sides(pairs, {4, 0});
  ASSERT_EQ(apart.sequences.size(), 4u);
  EXPECT_EQ(apart.first, (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(apart.second, (std::vector<std::int64_t>{2, 3}));
}

TEST(PairBatches, PairsGroupByPromptInOrderOfFirstPair) {
  std::vector<SequencePair> pairs;
  for (std::size_t prompt : {5u, 2u, 5u, 9u, 2u, 5u}) pairs.push_back(pair_of({1}, {2}, prompt));
  const auto groups = pairs_by_prompt(pairs);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], (std::vector<std::size_t>{0, 2, 5}));
  EXPECT_EQ(groups[1], (std::vector<std::size_t>{1, 4}));
  EXPECT_EQ(groups[2], (std::vector<std::size_t>{3}));
  EXPECT_TRUE(pairs_by_prompt({}).empty());
}

TEST(PairBatches, PromptsPerBatchHoldAboutTheAskedPairs) {
  EXPECT_EQ(prompts_per_batch(16, 5379, 1480), 4);  // 3.6 pairs per prompt
  EXPECT_EQ(prompts_per_batch(16, 100, 100), 16);   // one pair each: as without grouping
  EXPECT_EQ(prompts_per_batch(2, 120, 20), 1);      // never below one prompt
  EXPECT_EQ(prompts_per_batch(8, 0, 0), 1);
}

}  // namespace
}  // namespace paddock::learning
