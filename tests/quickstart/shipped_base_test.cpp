// The shipped base model, configs/world_base/: its provenance names the world it was made for,
// the pipeline that made it and the gates it passed; a pipeline whose world is another version
// is refused before anything trains on it.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace paddock {
namespace {

using testing::quote;
using testing::read_text;
using testing::run_command;
using testing::TempDir;
using testing::write_text;

const std::filesystem::path kBase =
    std::filesystem::path(PADDOCK_SOURCE_DIR) / "configs/world_base";

// The report of `provenance["reports"]` that has `key`, or null.
nlohmann::json report_with(const nlohmann::json& provenance, const std::string& key) {
  for (const auto& report : provenance.at("reports"))
    if (report.contains(key)) return report;
  return nullptr;
}

TEST(ShippedBase, ProvenanceNamesTheWorldThePipelineAndThePassedGates) {
  for (const char* file : {"config.json", "model.safetensors", "tokenizer.json"})
    EXPECT_TRUE(std::filesystem::is_regular_file(kBase / file)) << file;
  const auto provenance = nlohmann::json::parse(read_text(kBase / "paddock_provenance.json"));
  const auto& manifest = provenance.at("manifest");
  EXPECT_EQ(manifest.at("world_version"), 2);
  EXPECT_EQ(manifest.at("fact_base_size"), 20);
  EXPECT_FALSE(manifest.at("corpus_digest").get<std::string>().empty());
  EXPECT_EQ(provenance.at("pipeline").at("file"), "world_base.toml");
  EXPECT_FALSE(provenance.at("commit").get<std::string>().empty());

  const auto summary = report_with(provenance, "tokens_seen");
  ASSERT_FALSE(summary.is_null()) << provenance.dump(2);
  EXPECT_GT(summary.at("tokens_seen").get<double>(), 1e7);
  const auto probe = report_with(provenance, "gates");
  ASSERT_FALSE(probe.is_null()) << provenance.dump(2);
  EXPECT_EQ(probe.at("all_passed"), true);
}

TEST(ShippedBase, AWorldOfAnotherVersionIsRefused) {
  TempDir dir;
  write_text(dir / "pipeline.toml",
             "[pipeline]\nname = \"mismatch\"\nseed = 1\n"
             "[nodes.world]\nuse = \"instruction_world\"\nversion = 1\nscale = 0.005\n"
             "[nodes.base]\nuse = \"transformer_load\"\npath = \"" +
                 kBase.string() + "\"\nmanifest = \"world.manifest\"\n");
  const auto result =
      run_command(std::string(PADDOCK_BINARY) + " run " + quote((dir / "pipeline.toml").string()) +
                  " --set pipeline.workdir=" + quote((dir / "run").string()));
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("world_version"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace paddock
