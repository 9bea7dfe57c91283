// prefer_passive_openmp_waits: sets OMP_WAIT_POLICY only when the user has chosen nothing.
// ctest runs each test in its own process, so the environment changes stay here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "paddock/core/openmp_environment.hpp"

namespace paddock::core {
namespace {

std::string variable(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "<unset>" : value;
}

class OpenMpEnvironment : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("OMP_WAIT_POLICY");
    ::unsetenv("GOMP_SPINCOUNT");
  }
  void TearDown() override { SetUp(); }
};

TEST_F(OpenMpEnvironment, SetsPassiveWhenNothingIsChosen) {
  EXPECT_TRUE(prefer_passive_openmp_waits());
  EXPECT_EQ(variable("OMP_WAIT_POLICY"), "PASSIVE");
}

TEST_F(OpenMpEnvironment, KeepsTheUsersWaitPolicy) {
  ::setenv("OMP_WAIT_POLICY", "ACTIVE", 1);
  EXPECT_FALSE(prefer_passive_openmp_waits());
  EXPECT_EQ(variable("OMP_WAIT_POLICY"), "ACTIVE");
}

TEST_F(OpenMpEnvironment, KeepsTheUsersSpinCount) {
  ::setenv("GOMP_SPINCOUNT", "100000", 1);
  EXPECT_FALSE(prefer_passive_openmp_waits());
  EXPECT_EQ(variable("OMP_WAIT_POLICY"), "<unset>");
}

}  // namespace
}  // namespace paddock::core
