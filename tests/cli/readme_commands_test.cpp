// The README's two set-up commands, checked as a newcomer runs them: one after the other in
// one checkout. The main command configures build/ without tests; the test command must
// still configure the suite (CMake keeps cached options between runs) and must fail when
// ctest finds no tests. CI (.ci/run) must run exactly the README's test command.
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "test_support.hpp"

namespace paddock {
namespace {

using testing::quote;
using testing::read_text;
using testing::run_command;
using testing::TempDir;

const std::filesystem::path kSource = PADDOCK_SOURCE_DIR;

// The first line of the ```sh block that follows `heading` in the README.
std::string command_after(const std::string& readme, const std::string& heading) {
  const auto at = readme.find(heading);
  if (at == std::string::npos) return {};
  const auto block = readme.find("```sh\n", at);
  if (block == std::string::npos) return {};
  const auto start = block + 6;
  return readme.substr(start, readme.find('\n', start) - start);
}

std::vector<std::string> split_steps(const std::string& command) {
  std::vector<std::string> steps;
  std::size_t start = 0;
  for (auto at = command.find(" && "); at != std::string::npos; at = command.find(" && ", start)) {
    steps.push_back(command.substr(start, at - start));
    start = at + 4;
  }
  steps.push_back(command.substr(start));
  return steps;
}

// The command's `cmake -S . -B build ...` step, pointed at `source` and `build`.
std::string configure_step(const std::string& command, const std::filesystem::path& build) {
  for (const auto& step : split_steps(command)) {
    if (step.rfind("cmake -S . -B build", 0) != 0) continue;
    return "cmake -S " + quote(kSource.string()) + " -B " + quote(build.string()) +
           step.substr(std::string("cmake -S . -B build").size());
  }
  return {};
}

class ReadmeCommands : public ::testing::Test {
 protected:
  std::string readme_ = read_text(kSource / "README.md");
  std::string main_ = command_after(readme_, "Install, build and run the main job:");
  std::string tests_ = command_after(readme_, "Install, build and run the whole test suite:");
};

TEST_F(ReadmeCommands, CiRunsExactlyTheTestCommand) {
  ASSERT_FALSE(tests_.empty()) << "README.md has no test command block";
  const std::string ci = read_text(kSource / ".ci" / "run");
  std::istringstream lines(ci);
  std::string line;
  int matches = 0;
  while (std::getline(lines, line)) matches += line == tests_;
  EXPECT_EQ(matches, 1) << ".ci/run must run exactly: " << tests_;
}

TEST_F(ReadmeCommands, TestCommandFailsWhenNoTestsAreFound) {
  const auto steps = split_steps(tests_);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.back().rfind("ctest ", 0), 0u) << tests_;
  EXPECT_NE(steps.back().find("--no-tests=error"), std::string::npos) << tests_;
}

// Configures one build folder with the main command, then with the test command, as the
// README orders them, and checks the second leaves the suite switched on.
TEST_F(ReadmeCommands, TestCommandAfterMainCommandConfiguresTheSuite) {
  TempDir dir;
  const auto build = dir / "build";
  const std::string main_configure = configure_step(main_, build);
  const std::string test_configure = configure_step(tests_, build);
  ASSERT_FALSE(main_configure.empty()) << main_;
  ASSERT_FALSE(test_configure.empty()) << tests_;

  const auto first = run_command(main_configure);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto second = run_command(test_configure);
  ASSERT_EQ(second.exit_code, 0) << second.output;

  const std::string cache = read_text(build / "CMakeCache.txt");
  EXPECT_NE(cache.find("PADDOCK_BUILD_TESTS:BOOL=ON"), std::string::npos);
  const std::string ninja = read_text(build / "build.ninja");
  EXPECT_NE(ninja.find("cli_tests"), std::string::npos) << "no test targets after both commands";
}

}  // namespace
}  // namespace paddock
