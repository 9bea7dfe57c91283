// Reading the torchrun-style rank variables, and the run coordinator's rendezvous and
// barriers between threads standing in for ranks (real sockets on 127.0.0.1).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
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

TEST(RankEnvironment, TheCoordinatorBindsLoopbackUnlessAskedOtherwise) {
  variables = {{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_PORT", "29500"}};
  EXPECT_EQ(coordinator_bind(read_rank_environment(lookup)), "127.0.0.1");
  variables["MASTER_ADDR"] = "localhost";
  EXPECT_EQ(coordinator_bind(read_rank_environment(lookup)), "127.0.0.1");
  variables["MASTER_ADDR"] = "node-7";  // other machines must reach it
  EXPECT_EQ(coordinator_bind(read_rank_environment(lookup)), "0.0.0.0");
  variables["PADDOCK_COORDINATOR_BIND"] = "10.1.2.3";
  EXPECT_EQ(coordinator_bind(read_rank_environment(lookup)), "10.1.2.3");
  EXPECT_NE(error_of({{"WORLD_SIZE", "2"},
                      {"RANK", "0"},
                      {"MASTER_PORT", "29500"},
                      {"PADDOCK_COORDINATOR_BIND", "every"}})
                .find("PADDOCK_COORDINATOR_BIND='every' is not an IPv4 address"),
            std::string::npos);
  variables = {{"WORLD_SIZE", "2"},
               {"RANK", "1"},
               {"MASTER_PORT", "29500"},
               {"PADDOCK_RUN_TOKEN", "abc123"}};
  EXPECT_EQ(read_rank_environment(lookup).run_token, "abc123");
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

// The local address of the socket listening on `port`, from /proc/net/tcp ("" when none).
std::string listening_address(std::uint16_t port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  char wanted[8];
  std::snprintf(wanted, sizeof wanted, ":%04X", port);
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A" && local.size() > 5 && local.substr(local.size() - 5) == wanted)
      return local.substr(0, local.size() - 5);
  }
  return "";
}

TEST(RankCoordinator, ARunOnOneMachineListensOnLoopbackOnly) {
  const std::uint16_t port = testing::free_port();
  std::thread rank_zero([&] { RankCoordinator::join(rank_of(0, 2, port), "plan"); });
  std::string address;
  for (int i = 0; i < 500 && address.empty(); ++i) {
    address = listening_address(port);
    if (address.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  RankCoordinator::join(rank_of(1, 2, port), "plan");
  rank_zero.join();
  EXPECT_EQ(address, "0100007F");  // 127.0.0.1, not 00000000 (every interface)
}

TEST(RankCoordinator, AConnectionWithoutTheRunTokenIsRefusedAndTheRanksStillMeet) {
  const std::uint16_t port = testing::free_port();
  auto with_token = [port](int rank, std::string token) {
    RankEnvironment environment = rank_of(rank, 2, port);
    environment.run_token = std::move(token);
    return environment;
  };
  std::string stranger_error, member_error;
  std::thread stranger([&] {
    try {
      RankCoordinator::join(with_token(1, "guessed"), "plan");
    } catch (const std::exception& error) {
      stranger_error = error.what();
    }
  });
  std::unique_ptr<RankCoordinator> coordinator;
  std::thread rank_zero(
      [&] { coordinator = RankCoordinator::join(with_token(0, "s3cret"), "plan"); });
  stranger.join();  // refused while rank 0 goes on waiting
  std::thread member([&] {
    try {
      RankCoordinator::join(with_token(1, "s3cret"), "plan")->barrier("done a");
    } catch (const std::exception& error) {
      member_error = error.what();
    }
  });
  rank_zero.join();
  ASSERT_NE(coordinator, nullptr);
  coordinator->barrier("done a");
  member.join();
  EXPECT_NE(stranger_error.find("did not present the run's token"), std::string::npos)
      << stranger_error;
  EXPECT_EQ(stranger_error.find("s3cret"), std::string::npos);
  EXPECT_EQ(member_error, "");
}

}  // namespace
}  // namespace paddock::core
