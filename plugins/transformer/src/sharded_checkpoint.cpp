// Opening a checkpoint: a single safetensors file or a set of shards behind an index.
#include "paddock/transformer/sharded_checkpoint.hpp"

#include <algorithm>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

bool is_plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos;
}

}  // namespace

SafetensorsCheckpoint SafetensorsCheckpoint::open(const std::filesystem::path& path) {
  std::filesystem::path file = path;
  if (std::filesystem::is_directory(path)) {
    file = path / kSafetensorsIndexName;
    if (!std::filesystem::exists(file)) file = path / kSafetensorsSingleName;
    if (!std::filesystem::exists(file)) {
      throw Error(path.string() + ": no " + std::string(kSafetensorsIndexName) + " and no " +
                  std::string(kSafetensorsSingleName) + " in this directory");
    }
  }
  SafetensorsCheckpoint checkpoint;
  checkpoint.source_ = file;

  if (file.extension() != ".json") {
    checkpoint.shards_.push_back(std::make_unique<SafetensorsFile>(file));
    for (const TensorView& view : checkpoint.shards_.back()->tensors()) {
      checkpoint.tensors_.emplace(view.name, &view);
    }
    return checkpoint;
  }

  const std::string label = file.string();
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(core::read_file(file));
  } catch (const nlohmann::json::exception& error) {
    throw Error(label + ": not valid JSON: " + error.what());
  }
  if (!index.is_object()) throw Error(label + ": the index must be a JSON object");
  if (index.contains("metadata")) {
    if (!index["metadata"].is_object()) throw Error(label + ": field 'metadata' must be an object");
    checkpoint.index_metadata_ = index["metadata"];
  }
  if (!index.contains("weight_map")) throw Error(label + ": missing field 'weight_map'");
  const nlohmann::json& weight_map = index["weight_map"];
  if (!weight_map.is_object()) throw Error(label + ": field 'weight_map' must be an object");

  std::unordered_map<std::string, SafetensorsFile*> shard_by_name;
  for (const auto& [tensor_name, shard_value] : weight_map.items()) {
    if (!shard_value.is_string()) {
      throw Error(label + ": weight_map['" + tensor_name + "'] must be a file name string");
    }
    const std::string& shard_name = shard_value.get_ref<const std::string&>();
    if (!is_plain_file_name(shard_name)) {
      throw Error(label + ": weight_map['" + tensor_name + "'] names '" + shard_name +
                  "', which is not a plain file name in the index's directory");
    }
    SafetensorsFile*& shard = shard_by_name[shard_name];
    if (shard == nullptr) {
      const std::filesystem::path shard_path = file.parent_path() / shard_name;
      if (!std::filesystem::exists(shard_path)) {
        throw Error(label + ": weight_map['" + tensor_name + "'] names " + shard_path.string() +
                    ", which does not exist");
      }
      checkpoint.shards_.push_back(std::make_unique<SafetensorsFile>(shard_path));
      shard = checkpoint.shards_.back().get();
    }
    const TensorView* view = shard->find(tensor_name);
    if (view == nullptr) {
      throw Error(label + ": weight_map['" + tensor_name + "'] names " + shard->path().string() +
                  ", which has no such tensor");
    }
    checkpoint.tensors_.emplace(tensor_name, view);
  }
  for (const auto& shard : checkpoint.shards_) {
    for (const TensorView& view : shard->tensors()) {
      const auto listed = checkpoint.tensors_.find(view.name);
      if (listed == checkpoint.tensors_.end() || listed->second != &view) {
        throw Error(shard->path().string() + ": tensor '" + view.name +
                    "' is not mapped to this file by " + label + "'s weight_map");
      }
    }
  }
  return checkpoint;
}

std::vector<std::string> SafetensorsCheckpoint::tensor_names() const {
  std::vector<std::string> names;
  names.reserve(tensors_.size());
  for (const auto& [name, view] : tensors_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

const TensorView* SafetensorsCheckpoint::find(std::string_view name) const {
  const auto found = tensors_.find(std::string(name));
  return found == tensors_.end() ? nullptr : found->second;
}

const TensorView& SafetensorsCheckpoint::tensor(std::string_view name) const {
  const TensorView* view = find(name);
  if (view == nullptr) {
    throw Error(source_.string() + ": the checkpoint has no tensor named '" + std::string(name) +
                "'");
  }
  return *view;
}

}  // namespace paddock::transformer
