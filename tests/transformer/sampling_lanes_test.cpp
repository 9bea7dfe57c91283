// Sampling lanes: how many a sampler uses.
#include "sampling_lanes.hpp"

#include <gtest/gtest.h>

namespace paddock::transformer::sampling {
namespace {

TEST(SamplingLanes, TwoLanesOnlyWhenEachKeepsSixteenRowsAndAPrompt) {
  EXPECT_EQ(lane_count(64, 805), 2u);
  EXPECT_EQ(lane_count(32, 2), 2u);
  EXPECT_EQ(lane_count(31, 805), 1u);
  EXPECT_EQ(lane_count(16, 805), 1u);
  EXPECT_EQ(lane_count(64, 1), 1u);
}

}  // namespace
}  // namespace paddock::transformer::sampling
