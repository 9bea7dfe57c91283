// A third party's view of the SDK: install Paddock, build a plugin in its own tree with
// find_package(Paddock), and load it into the installed host (which must run from its
// install prefix thanks to $ORIGIN-relative RPATHs).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace paddock {
namespace {

using testing::quote;
using testing::run_command;
using testing::TempDir;

TEST(Sdk, OutOfTreePluginBuildsAgainstTheInstalledSdkAndLoads) {
  TempDir dir;
  const std::string prefix = (dir / "prefix").string();
  const std::string cmake = quote(PADDOCK_CMAKE);
  auto install =
      run_command(cmake + " --install " + quote(PADDOCK_BUILD_DIR) + " --prefix " + quote(prefix));
  ASSERT_EQ(install.exit_code, 0) << install.output;

  const std::string build = (dir / "example-build").string();
  auto configure =
      run_command(cmake + " -S " + quote(PADDOCK_EXAMPLE_DIR) + " -B " + quote(build) + " -G " +
                  quote(PADDOCK_GENERATOR) + " -DCMAKE_PREFIX_PATH=" + quote(prefix));
  ASSERT_EQ(configure.exit_code, 0) << configure.output;
  auto compile = run_command(cmake + " --build " + quote(build));
  ASSERT_EQ(compile.exit_code, 0) << compile.output;

  // Move the whole install to show nothing points back at the build tree.
  const std::string moved = (dir / "moved").string();
  std::filesystem::rename(prefix, moved);
  auto listing = run_command("PADDOCK_PLUGIN_PATH=" + quote(build + "/plugins") + " " +
                             quote(moved + "/bin/paddock") + " plugins --json");
  ASSERT_EQ(listing.exit_code, 0) << listing.output;
  const auto json = nlohmann::json::parse(listing.output);
  EXPECT_TRUE(json["problems"].empty()) << listing.output;
  std::vector<std::string> names;
  for (const auto& plugin : json["plugins"]) names.push_back(plugin["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "length_annotator"), names.end())
      << listing.output;
  EXPECT_NE(std::find(names.begin(), names.end(), "datasets"), names.end()) << listing.output;
}

}  // namespace
}  // namespace paddock
