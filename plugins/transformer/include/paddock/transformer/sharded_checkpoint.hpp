// A Hugging Face weights checkpoint, one file or sharded: `model.safetensors`, or
// `model-00001-of-00003.safetensors`... with `model.safetensors.index.json`
// ({"metadata": {...}, "weight_map": {tensor: file}}). Presents all tensors as one set.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/transformer/safetensors_file.hpp"
#include "paddock/transformer/safetensors_writer.hpp"

namespace paddock::transformer {

inline constexpr std::string_view kSafetensorsIndexName = "model.safetensors.index.json";
inline constexpr std::string_view kSafetensorsSingleName = "model.safetensors";

class SafetensorsCheckpoint {
 public:
  // `path` is a directory (its model.safetensors.index.json when present, otherwise its
  // model.safetensors), an index .json file, or a single .safetensors file. Every shard is
  // mapped and validated. The index must name only plain files beside it; each tensor it
  // lists must be in the shard it names, and every tensor of every shard must be listed
  // for that shard. Errors name the index or shard file and the tensor or field.
  static SafetensorsCheckpoint open(const std::filesystem::path& path);

  // Sorted by name.
  std::vector<std::string> tensor_names() const;
  std::size_t size() const { return tensors_.size(); }
  const TensorView* find(std::string_view name) const;
  // Throws paddock::Error naming the checkpoint and the tensor when it is missing.
  const TensorView& tensor(std::string_view name) const;

  const std::vector<std::unique_ptr<SafetensorsFile>>& shards() const { return shards_; }
  // The index's "metadata" object (e.g. total_size); empty for a single file.
  const nlohmann::json& index_metadata() const { return index_metadata_; }
  // What was opened, for messages.
  const std::filesystem::path& source() const { return source_; }

 private:
  std::filesystem::path source_;
  std::vector<std::unique_ptr<SafetensorsFile>> shards_;
  std::unordered_map<std::string, const TensorView*> tensors_;
  nlohmann::json index_metadata_ = nlohmann::json::object();
};

// Writes `tensors` into `directory` as `<base_name>.safetensors` when they fit in one shard
// of `max_shard_bytes` (0 = no limit), otherwise as `<base_name>-0000i-of-0000n.safetensors`
// plus `<base_name>.safetensors.index.json` ({"metadata": {"total_size": bytes},
// "weight_map": {...}}). Tensors fill shards in the given order; a tensor larger than the
// limit gets a shard of its own. `metadata` goes into every shard's "__metadata__". Each
// file is written atomically; afterwards, files of an earlier save that the new layout does
// not use (a stale index, single file, or shards with another count) are removed so loaders
// cannot pick them up. Returns the files written, index last.
std::vector<std::filesystem::path> write_safetensors_checkpoint(
    const std::filesystem::path& directory, std::vector<TensorToWrite> tensors,
    std::uint64_t max_shard_bytes, const std::map<std::string, std::string>& metadata = {},
    std::string_view base_name = "model");

// "model-00002-of-00005.safetensors" for (base "model", shard 2, count 5).
std::string shard_file_name(std::string_view base_name, std::size_t shard, std::size_t count);

}  // namespace paddock::transformer
