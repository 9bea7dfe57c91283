// Writing a checkpoint in the Hugging Face layout, split into shards by a size limit.
#include <cstdio>
#include <regex>
#include <set>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/sharded_checkpoint.hpp"

namespace paddock::transformer {
namespace {

// Deletes `<base>-NNNNN-of-NNNNN.safetensors` files in `directory` not in `keep`.
void remove_stale_shards(const std::filesystem::path& directory, std::string_view base_name,
                         const std::set<std::string>& keep) {
  std::string escaped;
  for (char c : base_name) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  const std::regex shard_pattern(escaped + R"(-\d{5}-of-\d{5}\.safetensors)");
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (keep.count(name) == 0 && std::regex_match(name, shard_pattern)) {
      std::filesystem::remove(entry.path());
    }
  }
}

}  // namespace

std::string shard_file_name(std::string_view base_name, std::size_t shard, std::size_t count) {
  char numbers[64];
  std::snprintf(numbers, sizeof(numbers), "-%05zu-of-%05zu", shard, count);
  return std::string(base_name) + numbers + ".safetensors";
}

std::vector<std::filesystem::path> write_safetensors_checkpoint(
    const std::filesystem::path& directory, std::vector<TensorToWrite> tensors,
    std::uint64_t max_shard_bytes, const std::map<std::string, std::string>& metadata,
    std::string_view base_name) {
  std::filesystem::create_directories(directory);
  std::vector<std::vector<TensorToWrite>> shards(1);
  std::uint64_t shard_bytes = 0;
  std::uint64_t total_bytes = 0;
  for (TensorToWrite& tensor : tensors) {
    const std::uint64_t size = tensor.bytes.size();
    if (max_shard_bytes > 0 && !shards.back().empty() && shard_bytes + size > max_shard_bytes) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shard_bytes += size;
    total_bytes += size;
    shards.back().push_back(std::move(tensor));
  }

  const std::filesystem::path single = directory / (std::string(base_name) + ".safetensors");
  const std::filesystem::path index =
      directory / (std::string(base_name) + ".safetensors.index.json");
  std::vector<std::filesystem::path> written;
  if (shards.size() == 1) {
    write_safetensors(single, std::move(shards.front()), metadata);
    written.push_back(single);
    std::filesystem::remove(index);
    remove_stale_shards(directory, base_name, {});
    return written;
  }

  nlohmann::json weight_map = nlohmann::json::object();
  std::set<std::string> shard_names;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const std::string name = shard_file_name(base_name, i + 1, shards.size());
    for (const TensorToWrite& tensor : shards[i]) {
      if (weight_map.contains(tensor.name)) {
        throw Error("cannot write " + (directory / name).string() + ": tensor '" + tensor.name +
                    "' appears twice");
      }
      weight_map[tensor.name] = name;
    }
    write_safetensors(directory / name, std::move(shards[i]), metadata);
    written.push_back(directory / name);
    shard_names.insert(name);
  }
  const nlohmann::json index_json = {{"metadata", {{"total_size", total_bytes}}},
                                     {"weight_map", weight_map}};
  core::write_file_atomically(index, index_json.dump(2) + "\n");
  written.push_back(index);
  std::filesystem::remove(single);
  remove_stale_shards(directory, base_name, shard_names);
  return written;
}

}  // namespace paddock::transformer
