// Quark's pool: quantiles at their boundaries and across ties, the reward tokens, and the
// pool file written and read back.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "paddock/error.hpp"
#include "paddock/quark/quark_pool.hpp"
#include "test_support.hpp"

namespace paddock::quark {
namespace {

using Quantiles = std::vector<std::int64_t>;

TEST(QuarkPool, RewardTokensRunFromTheBestQuantile) {
  EXPECT_EQ(reward_token_strings(4), (std::vector<std::string>{"<|reward_0|>", "<|reward_1|>",
                                                               "<|reward_2|>", "<|reward_3|>"}));
}

TEST(QuarkPool, EqualChunksFromTheHighestReward) {
  // Sorted: 7 6 | 5 4 | 3 2 | 1 0
  EXPECT_EQ(assign_quantiles({0, 1, 2, 3, 4, 5, 6, 7}, 4), (Quantiles{3, 3, 2, 2, 1, 1, 0, 0}));
  EXPECT_EQ(assign_quantiles({2.5, -1.0}, 2), (Quantiles{0, 1}));
  EXPECT_EQ(assign_quantiles({1, 2, 3}, 1), (Quantiles{0, 0, 0}));
}

TEST(QuarkPool, TheLowestQuantileTakesTheRemainder) {
  // Ten samples in four quantiles: 2, 2, 2 and 4, as AlpacaFarm cut its pool.
  EXPECT_EQ(assign_quantiles({9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 4),
            (Quantiles{0, 0, 1, 1, 2, 2, 3, 3, 3, 3}));
  // Seven in three: 2, 2, 3.
  EXPECT_EQ(assign_quantiles({0, 1, 2, 3, 4, 5, 6}, 3), (Quantiles{2, 2, 2, 1, 1, 0, 0}));
}

TEST(QuarkPool, TiesAcrossABoundaryAreSplitInPoolOrder) {
  // Sorted: 5 (0), 4 (5) | 3 (2), 3 (3) | 3 (7), 2 (4) | 1 (1), 0 (6): of the three 3s the two
  // sampled first land in quantile 1, the last one in quantile 2.
  EXPECT_EQ(assign_quantiles({5, 1, 3, 3, 2, 4, 0, 3}, 4), (Quantiles{0, 3, 1, 1, 2, 0, 3, 2}));
  // All equal: pool order alone decides.
  EXPECT_EQ(assign_quantiles({1, 1, 1, 1, 1}, 2), (Quantiles{0, 0, 1, 1, 1}));
}

TEST(QuarkPool, QuantileMeans) {
  const std::vector<double> rewards = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const auto quantile_of = assign_quantiles(rewards, 4);
  const auto means = quantile_reward_means(rewards, quantile_of, 4);
  ASSERT_EQ(means.size(), 4u);
  EXPECT_DOUBLE_EQ(means[0], 8.5);
  EXPECT_DOUBLE_EQ(means[1], 6.5);
  EXPECT_DOUBLE_EQ(means[2], 4.5);
  EXPECT_DOUBLE_EQ(means[3], 1.5);
  EXPECT_TRUE(std::isnan(quantile_reward_means({1.0}, {0}, 2)[1]));
}

TEST(QuarkPool, TooSmallAPoolOrABadRewardIsAnError) {
  try {
    assign_quantiles({1, 2, 3}, 4);
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("holds 3 samples, fewer than its 4 quantiles"),
              std::string::npos);
  }
  EXPECT_THROW(assign_quantiles({1, std::numeric_limits<double>::quiet_NaN()}, 1), Error);
  EXPECT_THROW(assign_quantiles({1, 2}, 0), Error);
}

TEST(QuarkPool, SavedPoolReadsBack) {
  testing::TempDir dir;
  const std::vector<PoolEntry> pool = {{3, {5, 6, 7}, "a b", -0.25, 1},
                                       {0, {9}, "\xc3\xa9", 1.5, 2}};
  save_pool(pool, dir / "pool.jsonl");
  const auto loaded = load_pool(dir / "pool.jsonl");
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].prompt, 3u);
  EXPECT_EQ(loaded[0].response, (std::vector<std::int64_t>{5, 6, 7}));
  EXPECT_EQ(loaded[1].text, "\xc3\xa9");
  EXPECT_EQ(loaded[0].reward, -0.25);
  EXPECT_EQ(loaded[1].round, 2);
  testing::write_text(dir / "bad.jsonl", "{\"prompt\": 1}\n");
  try {
    load_pool(dir / "bad.jsonl");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("bad.jsonl:1: not a Quark pool entry"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace paddock::quark
