// Plugin loading: the good fixture loads; each broken one is refused with a message that
// names the file and says what is wrong.
#include <gtest/gtest.h>

#include "paddock/build_config.hpp"
#include "paddock/core/param_check.hpp"
#include "paddock/core/plugin_describer.hpp"
#include "paddock/core/plugin_registry.hpp"
#include "paddock/version.hpp"

namespace paddock::core {
namespace {

const std::filesystem::path kFixtures = PADDOCK_FIXTURE_DIR;

std::filesystem::path fixture(const std::string& name) {
  return kFixtures / name / ("fixture_" + name + ".so");
}

// Loads one fixture into a fresh registry and returns the problem it caused ("" if none).
std::string problem_loading(const std::string& name) {
  PluginRegistry registry;
  if (registry.load_file(fixture(name))) return "";
  return registry.problems().back().message;
}

TEST(PluginLoading, GoodPluginRegistersItsNodeTypes) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_file(fixture("good"))) << registry.problems().back().message;
  ASSERT_EQ(registry.plugins().size(), 1u);
  const LoadedPlugin& plugin = *registry.plugins()[0];
  EXPECT_EQ(plugin.name, "fixture_good");
  EXPECT_EQ(plugin.version, "1.2.0");
  EXPECT_EQ(plugin.file, std::filesystem::canonical(fixture("good")));
  EXPECT_NE(plugin.build_fingerprint.find("torch=none"), std::string::npos);
  const RegisteredNodeType* type = registry.find_node_type("fixture_scale");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->plugin, &plugin);
  EXPECT_EQ(type->spec.kind, NodeKind::transform);
}

TEST(PluginLoading, LoadingTheSameFileTwiceIsHarmless) {
  PluginRegistry registry;
  EXPECT_TRUE(registry.load_file(fixture("good")));
  EXPECT_TRUE(registry.load_file(kFixtures / "good" / ".." / "good" / "fixture_good.so"));
  EXPECT_EQ(registry.plugins().size(), 1u);
  EXPECT_TRUE(registry.problems().empty());
}

TEST(PluginLoading, AbiMajorMismatchIsRefused) {
  const std::string problem = problem_loading("abi_major");
  EXPECT_NE(problem.find("plugin 'fixture_abi_major' (" + fixture("abi_major").string() +
                         ") needs Paddock SDK ABI 3.0 but this host provides 2."),
            std::string::npos)
      << problem;
}

TEST(PluginLoading, NewerAbiMinorIsRefused) {
  const std::string host =
      std::to_string(paddock::kAbiMajor) + "." + std::to_string(paddock::kAbiMinor);
  const std::string newer =
      std::to_string(paddock::kAbiMajor) + "." + std::to_string(paddock::kAbiMinor + 1);
  const std::string problem = problem_loading("abi_minor");
  EXPECT_NE(problem.find("needs Paddock SDK ABI " + newer + " but this host provides " + host),
            std::string::npos)
      << problem;
}

// A plugin built before the host's last minor bump still loads.
TEST(PluginLoading, OlderAbiMinorIsAccepted) {
  if (paddock::kAbiMinor == 0)
    GTEST_SKIP() << "ABI " << paddock::kAbiMajor << ".0 has no older minor";
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_file(fixture("abi_older_minor"))) << registry.problems().back().message;
  EXPECT_NE(registry.find_node_type("fixture_older_minor_noop"), nullptr);
}

// ABI 2.0 added members to structs plugins fill (Generation): a 1.x plugin is refused, with
// both versions and what to do.
TEST(PluginLoading, APluginOfThePreviousMajorIsRefusedWithTheReason) {
  EXPECT_EQ(problem_loading("abi_previous_major"),
            "plugin 'fixture_abi_previous_major' (" + fixture("abi_previous_major").string() +
                ") was built for Paddock SDK ABI 1.2, an older major than this host's " +
                std::to_string(paddock::kAbiMajor) + "." + std::to_string(paddock::kAbiMinor) +
                ", whose structs differ; rebuild the plugin against this Paddock SDK");
}

TEST(PluginLoading, LibraryWithoutEntrySymbolIsNotAPlugin) {
  EXPECT_EQ(problem_loading("no_entry"), fixture("no_entry").string() +
                                             " is not a Paddock plugin: it exports no "
                                             "'paddock_plugin_entry' symbol");
}

TEST(PluginLoading, FileThatIsNotALibraryIsReported) {
  PluginRegistry registry;
  EXPECT_FALSE(registry.load_file(PADDOCK_FIXTURE_DIR "/../../CMakeCache.txt"));
  EXPECT_NE(registry.problems().back().message.find("cannot load"), std::string::npos);
}

TEST(PluginLoading, DuplicateNodeTypeIsRefusedNamingBothFiles) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_file(fixture("good")));
  EXPECT_FALSE(registry.load_file(fixture("duplicate")));
  const std::string problem = registry.problems().back().message;
  EXPECT_NE(problem.find("plugin 'fixture_duplicate' (" + fixture("duplicate").string() +
                         ") refused: node type 'fixture_numbers' is already provided by plugin "
                         "'fixture_good' (" +
                         std::filesystem::canonical(fixture("good")).string() + ")"),
            std::string::npos)
      << problem;
  EXPECT_EQ(registry.plugins().size(), 1u);
}

TEST(PluginLoading, FingerprintMismatchIsRefused) {
  EXPECT_NE(problem_loading("fingerprint_mismatch")
                .find("is incompatible: it was built with _GLIBCXX_USE_CXX11_ABI=0 but this host "
                      "uses 1; rebuild the plugin against this Paddock SDK"),
            std::string::npos);
}

TEST(PluginLoading, TorchVersionMismatchIsRefused) {
  EXPECT_NE(problem_loading("torch_mismatch")
                .find(std::string("it was built against LibTorch 0.0.1 but this host uses ") +
                      PADDOCK_HOST_TORCH_VERSION),
            std::string::npos);
}

TEST(PluginLoading, ThrowingRegistrationIsReported) {
  EXPECT_NE(problem_loading("register_throws")
                .find("failed while registering: cannot find my config file"),
            std::string::npos);
}

TEST(PluginLoading, WrongNodeTypeDeclarationIsRefused) {
  EXPECT_NE(problem_loading("bad_declaration")
                .find("refused: node type 'fixture_bad' is declared wrongly: output 'data' has "
                      "unknown artifact type 'dataset'"),
            std::string::npos);
}

TEST(PluginLoading, NodeTypeDeclarationChecks) {
  NodeTypeSpec spec;
  spec.name = "x";
  spec.params = {integer_param("count", 5, "", 10.0)};
  EXPECT_EQ(check_node_type(spec),
            "the default of parameter 'count' does not fit: value 5 is below the minimum 10");
  spec.params = {string_param("use", "", "")};
  EXPECT_NE(check_node_type(spec).find("'use' is reserved"), std::string::npos);
  spec.params = {};
  spec.inputs = {{"data", "Dataset", ""}, {"data", "Dataset", ""}};
  EXPECT_EQ(check_node_type(spec), "the name 'data' is declared twice");
  spec.inputs = {};
  spec.outputs = {{"judge", "Annotator", ""}, {"data", "Dataset", ""}};
  EXPECT_NE(check_node_type(spec).find("outputs nothing else"), std::string::npos);
}

TEST(PluginLoading, DirectoryScanLoadsGoodAndReportsBad) {
  PluginRegistry registry;
  registry.load_directories({kFixtures / "good", kFixtures / "no_entry", kFixtures / "missing"});
  EXPECT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.problems().size(), 1u);
}

TEST(PluginLoading, FingerprintRules) {
  const std::string host =
      "stdlib=libstdc++;cxx11abi=1;spdlog=1.10;json=3.11;torch=1.13.1;compiler=gcc-12";
  const std::string libraries = ";spdlog=1.10;json=3.11;";
  EXPECT_EQ(check_build_fingerprint(
                "stdlib=libstdc++;cxx11abi=1" + libraries + "torch=none;compiler=clang-14", host),
            "");
  EXPECT_EQ(check_build_fingerprint(
                "stdlib=libstdc++;cxx11abi=1" + libraries + "torch=1.13.1;compiler=gcc-13", host),
            "");
  EXPECT_NE(check_build_fingerprint("stdlib=libc++;cxx11abi=n/a" + libraries + "torch=none", host),
            "");
  EXPECT_EQ(
      check_build_fingerprint("stdlib=libstdc++;cxx11abi=1;spdlog=1.11;json=3.11;torch=none", host),
      "it was built against spdlog 1.11 but this host uses 1.10");
  EXPECT_NE(check_build_fingerprint("garbage", host).find("has no stdlib"), std::string::npos);
}

TEST(PluginLoading, DescriptionListsPortsParamsAndProblems) {
  PluginRegistry registry;
  registry.load_directories({kFixtures / "good", kFixtures / "abi_major"});
  const auto json = describe_plugins_json(registry);
  ASSERT_EQ(json["plugins"].size(), 1u);
  EXPECT_EQ(json["problems"].size(), 1u);
  const auto& types = json["plugins"][0]["node_types"];
  const auto scale = std::find_if(types.begin(), types.end(),
                                  [](const auto& t) { return t["name"] == "fixture_scale"; });
  ASSERT_NE(scale, types.end());
  EXPECT_EQ((*scale)["params"][0]["name"], "factor");
  EXPECT_EQ((*scale)["params"][0]["required"], true);
  EXPECT_EQ((*scale)["params"][1]["choices"], nlohmann::json({"none", "floor"}));
  const std::string text = describe_plugins_text(registry);
  EXPECT_NE(text.find("param  count: integer = 5 in [0, 1000]  how many rows"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Not loaded: plugin 'fixture_abi_major'"), std::string::npos);
}

}  // namespace
}  // namespace paddock::core
