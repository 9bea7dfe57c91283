// The seed derivation is a published contract: these values must never change.
#include <gtest/gtest.h>

#include "paddock/random.hpp"
#include "paddock/seed.hpp"

namespace paddock {
namespace {

TEST(Seed, Fnv1aMatchesPublishedTestVectors) {
  EXPECT_EQ(fnv1a_64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a_64("foobar"), 0x85944171f73967e8ULL);
}

TEST(Seed, SplitMix64MatchesReferenceSequence) {
  // The first output of the reference SplitMix64 generator seeded with 0 is splitmix64(0).
  EXPECT_EQ(splitmix64(0), 0xe220a8397b1dcdafULL);
}

TEST(Seed, DerivedSeedsAreStableAndDistinct) {
  EXPECT_EQ(derive_seed(42, "sft"), splitmix64(42 ^ fnv1a_64("sft")));
  EXPECT_NE(derive_seed(42, "sft"), derive_seed(42, "ppo"));
  EXPECT_NE(derive_seed(42, "sft"), derive_seed(43, "sft"));
}

TEST(Random, DrawsAreInRangeAndReproducible) {
  std::mt19937_64 a(7), b(7);
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform01(a);
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    EXPECT_EQ(u, uniform01(b));
    EXPECT_LT(uniform_below(a, 3), 3u);
    uniform_below(b, 3);
  }
  std::vector<int> items = {1, 2, 3, 4, 5};
  std::mt19937_64 c(1);
  shuffle(items, c);
  std::vector<int> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(Random, UniformBelowIsUnbiasedEnough) {
  std::mt19937_64 rng(3);
  std::array<int, 3> counts{};
  for (int i = 0; i < 30000; ++i) ++counts[uniform_below(rng, 3)];
  for (int count : counts) EXPECT_NEAR(count, 10000, 400);
}

}  // namespace
}  // namespace paddock
