// Sharded checkpoints: HF file naming, the index, the merged view, stale files, bad indexes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "paddock/transformer/sharded_checkpoint.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using testing::error_message;
using ::testing::HasSubstr;
using testing::TempDir;

// Five 40-byte tensors (10 floats each) with distinct contents.
struct FiveTensors {
  std::vector<std::vector<float>> values;
  FiveTensors() {
    for (int t = 0; t < 5; ++t) {
      std::vector<float> v(10);
      for (int i = 0; i < 10; ++i) v[i] = static_cast<float>(t * 100 + i);
      values.push_back(v);
    }
  }
  std::vector<TensorToWrite> list() const {
    std::vector<TensorToWrite> tensors;
    for (int t = 0; t < 5; ++t) {
      tensors.push_back({"layers." + std::to_string(t) + ".weight",
                         DType::float32,
                         {2, 5},
                         std::as_bytes(std::span<const float>(values[t]))});
    }
    return tensors;
  }
};

nlohmann::json read_json(const std::filesystem::path& file) {
  return nlohmann::json::parse(testing::read_text(file));
}

TEST(ShardedCheckpoint, SplitsByMaxShardSizeWithHuggingFaceNames) {
  TempDir directory;
  const FiveTensors sample;
  // 100 bytes per shard: two 40-byte tensors fit, a third does not -> 2 + 2 + 1.
  const auto written =
      write_safetensors_checkpoint(directory.path(), sample.list(), 100, {{"format", "pt"}});
  ASSERT_EQ(written.size(), 4u);
  EXPECT_EQ(written[0].filename(), "model-00001-of-00003.safetensors");
  EXPECT_EQ(written[1].filename(), "model-00002-of-00003.safetensors");
  EXPECT_EQ(written[2].filename(), "model-00003-of-00003.safetensors");
  EXPECT_EQ(written[3].filename(), "model.safetensors.index.json");

  const nlohmann::json index = read_json(directory / "model.safetensors.index.json");
  EXPECT_EQ(index["metadata"]["total_size"], 200);
  EXPECT_EQ(index["weight_map"]["layers.0.weight"], "model-00001-of-00003.safetensors");
  EXPECT_EQ(index["weight_map"]["layers.1.weight"], "model-00001-of-00003.safetensors");
  EXPECT_EQ(index["weight_map"]["layers.2.weight"], "model-00002-of-00003.safetensors");
  EXPECT_EQ(index["weight_map"]["layers.4.weight"], "model-00003-of-00003.safetensors");

  const SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint::open(directory.path());
  EXPECT_EQ(checkpoint.shards().size(), 3u);
  EXPECT_EQ(checkpoint.size(), 5u);
  EXPECT_EQ(checkpoint.index_metadata()["total_size"], 200);
  EXPECT_EQ(checkpoint.shards()[0]->metadata().at("format"), "pt");
  for (const TensorToWrite& original : sample.list()) {
    const TensorView& view = checkpoint.tensor(original.name);
    ASSERT_EQ(view.size_bytes(), original.bytes.size());
    EXPECT_TRUE(std::equal(view.bytes.begin(), view.bytes.end(), original.bytes.begin()));
  }
  EXPECT_EQ(checkpoint.tensor_names().front(), "layers.0.weight");
  EXPECT_THAT(error_message([&] { checkpoint.tensor("lm_head.weight"); }),
              HasSubstr("no tensor named 'lm_head.weight'"));
  // The index file itself opens too.
  EXPECT_EQ(SafetensorsCheckpoint::open(directory / "model.safetensors.index.json").size(), 5u);
}

TEST(ShardedCheckpoint, OversizedTensorGetsItsOwnShard) {
  TempDir directory;
  const auto written = write_safetensors_checkpoint(directory.path(), FiveTensors().list(), 10);
  EXPECT_EQ(written.size(), 6u);
  EXPECT_EQ(written[4].filename(), "model-00005-of-00005.safetensors");
}

TEST(ShardedCheckpoint, SingleFileWhenEverythingFitsAndStaleFilesGo) {
  TempDir directory;
  const FiveTensors sample;
  write_safetensors_checkpoint(directory.path(), sample.list(), 100);
  ASSERT_TRUE(std::filesystem::exists(directory / "model-00003-of-00003.safetensors"));

  const auto written =
      write_safetensors_checkpoint(directory.path(), sample.list(), /*max_shard_bytes=*/0);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].filename(), "model.safetensors");
  EXPECT_FALSE(std::filesystem::exists(directory / "model.safetensors.index.json"));
  EXPECT_FALSE(std::filesystem::exists(directory / "model-00001-of-00003.safetensors"));
  EXPECT_EQ(SafetensorsCheckpoint::open(directory.path()).size(), 5u);

  write_safetensors_checkpoint(directory.path(), sample.list(), 150);  // 3 + 2
  EXPECT_FALSE(std::filesystem::exists(directory / "model.safetensors"));
  EXPECT_TRUE(std::filesystem::exists(directory / "model-00002-of-00002.safetensors"));
  EXPECT_EQ(SafetensorsCheckpoint::open(directory.path()).shards().size(), 2u);
}

class BrokenIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    write_safetensors_checkpoint(directory.path(), FiveTensors().list(), 100);
  }
  std::string open_with_index(const nlohmann::json& index) {
    testing::write_text(directory / "model.safetensors.index.json", index.dump());
    return error_message([&] { SafetensorsCheckpoint::open(directory.path()); });
  }
  nlohmann::json good_index() { return read_json(directory / "model.safetensors.index.json"); }
  TempDir directory;
};

TEST_F(BrokenIndex, MissingWeightMap) {
  const std::string message = open_with_index({{"metadata", nlohmann::json::object()}});
  EXPECT_THAT(message, HasSubstr("model.safetensors.index.json: missing field 'weight_map'"));
}

TEST_F(BrokenIndex, TensorInTheWrongShard) {
  nlohmann::json index = good_index();
  index["weight_map"]["layers.0.weight"] = "model-00002-of-00003.safetensors";
  EXPECT_THAT(open_with_index(index),
              HasSubstr("weight_map['layers.0.weight'] names " +
                        (directory / "model-00002-of-00003.safetensors").string() +
                        ", which has no such tensor"));
}

TEST_F(BrokenIndex, MissingShardFile) {
  nlohmann::json index = good_index();
  index["weight_map"]["layers.4.weight"] = "model-00009-of-00009.safetensors";
  EXPECT_THAT(open_with_index(index), HasSubstr("which does not exist"));
}

TEST_F(BrokenIndex, UnlistedTensorInAShard) {
  nlohmann::json index = good_index();
  index["weight_map"].erase("layers.1.weight");
  EXPECT_THAT(open_with_index(index),
              HasSubstr("tensor 'layers.1.weight' is not mapped to this file"));
}

TEST_F(BrokenIndex, PathOutsideTheDirectory) {
  nlohmann::json index = good_index();
  index["weight_map"]["layers.0.weight"] = "../model-00001-of-00003.safetensors";
  EXPECT_THAT(open_with_index(index), HasSubstr("not a plain file name"));
}

TEST_F(BrokenIndex, NotJson) {
  testing::write_text(directory / "model.safetensors.index.json", "{\"weight_map\": ");
  EXPECT_THAT(error_message([&] { SafetensorsCheckpoint::open(directory.path()); }),
              HasSubstr("model.safetensors.index.json: not valid JSON"));
}

TEST(ShardedCheckpoint, EmptyDirectoryIsAnError) {
  TempDir directory;
  EXPECT_THAT(error_message([&] { SafetensorsCheckpoint::open(directory.path()); }),
              HasSubstr("no model.safetensors.index.json and no model.safetensors"));
}

}  // namespace
}  // namespace paddock::transformer
