// Reading the torchrun-style rank variables, and the run coordinator's rendezvous and
// barriers between threads standing in for ranks (real sockets on 127.0.0.1).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>

#include "paddock/core/rank_coordinator.hpp"
#include "paddock/core/rank_environment.hpp"
#include "paddock/error.hpp"
#include "rank_ports.hpp"

namespace paddock::core {
namespace {

std::map<std::string, std::string> variables;
const char* lookup(const char* name) {
  const auto found = variables.find(name);
  return found == variables.end() ? nullptr : found->second.c_str();
}

std::string error_of(const std::map<std::string, std::string>& given) {
  variables = given;
  try {
    read_rank_environment(lookup);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(RankEnvironment, WithoutWorldSizeTheProcessRunsAlone) {
  variables = {{"RANK", "3"}};
  const RankEnvironment alone = read_rank_environment(lookup);
  EXPECT_FALSE(alone.distributed());
  EXPECT_EQ(alone.rank, 0);
}

TEST(RankEnvironment, ReadsTheTorchrunVariables) {
  variables = {{"WORLD_SIZE", "4"},      {"RANK", "2"},
               {"LOCAL_RANK", "0"},      {"MASTER_ADDR", "h1"},
               {"MASTER_PORT", "29500"}, {"PADDOCK_DISTRIBUTED_TIMEOUT", "7"}};
  const RankEnvironment environment = read_rank_environment(lookup);
  EXPECT_TRUE(environment.distributed());
  EXPECT_EQ(environment.rank, 2);
  EXPECT_EQ(environment.local_rank, 0);
  EXPECT_EQ(environment.master_address, "h1");
  EXPECT_EQ(environment.coordinator_port, 29501);
  EXPECT_EQ(environment.timeout.count(), 7);
}

TEST(RankEnvironment, BadValuesNameTheVariable) {
  EXPECT_NE(error_of({{"WORLD_SIZE", "2"}, {"MASTER_PORT", "29500"}}).find("RANK is not"),
            std::string::npos);
  EXPECT_NE(error_of({{"WORLD_SIZE", "2"}, {"RANK", "2"}, {"MASTER_PORT", "1"}})
                .find("RANK='2' is not a whole number from 0 to 1"),
            std::string::npos);
  EXPECT_NE(error_of({{"WORLD_SIZE", "two"}}).find("WORLD_SIZE='two'"), std::string::npos);
  EXPECT_NE(error_of({{"WORLD_SIZE", "2"}, {"RANK", "0"}}).find("MASTER_PORT is not"),
            std::string::npos);
}

RankEnvironment rank_of(int rank, int world, std::uint16_t port) {
  RankEnvironment environment;
  environment.rank = rank;
  environment.world_size = world;
  environment.master_port = port;
  environment.coordinator_port = port;
  environment.timeout = std::chrono::seconds(5);
  return environment;
}

TEST(RankCoordinator, RanksMeetAtBarriersAndLearnOfAFailure) {
  const std::uint16_t port = testing::free_port();
  std::string member_error;
  std::thread member([&] {
    try {
      auto coordinator = RankCoordinator::join(rank_of(1, 2, port), "plan");
      coordinator->barrier("done a");
      coordinator->report_failure("node 'b' failed: broken");
    } catch (const std::exception& error) {
      member_error = error.what();
    }
  });
  auto coordinator = RankCoordinator::join(rank_of(0, 2, port), "plan");
  coordinator->barrier("done a");
  try {
    coordinator->barrier("done b");
    ADD_FAILURE() << "the barrier should have failed";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("rank 1 failed: node 'b' failed: broken"),
              std::string::npos)
        << error.what();
  }
  member.join();
  EXPECT_EQ(member_error, "");
}

TEST(RankCoordinator, ADifferentPlanIsRefusedOnEveryRank) {
  const std::uint16_t port = testing::free_port();
  std::string member_error;
  std::thread member([&] {
    try {
      RankCoordinator::join(rank_of(1, 2, port), "other plan");
    } catch (const std::exception& error) {
      member_error = error.what();
    }
  });
  EXPECT_THROW(RankCoordinator::join(rank_of(0, 2, port), "plan"), Error);
  member.join();
  EXPECT_NE(member_error.find("rank 0 refused this rank"), std::string::npos) << member_error;
}

TEST(RankCoordinator, ARankThatVanishesStopsTheBarrier) {
  const std::uint16_t port = testing::free_port();
  std::thread member([&] { RankCoordinator::join(rank_of(1, 2, port), "plan"); });  // then closes
  auto coordinator = RankCoordinator::join(rank_of(0, 2, port), "plan");
  member.join();
  try {
    coordinator->barrier("done a");
    ADD_FAILURE() << "the barrier should have failed";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("rank 1 lost its connection"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace paddock::core
