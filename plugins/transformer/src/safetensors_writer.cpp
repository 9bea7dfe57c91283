// The safetensors writer: sort, build the padded header, stream header and data.
#include "paddock/transformer/safetensors_writer.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "paddock/error.hpp"
#include "paddock/transformer/atomic_file_writer.hpp"

namespace paddock::transformer {
namespace {

struct PreparedFile {
  std::string prefix;                  // length field + padded header
  std::vector<TensorToWrite> tensors;  // in data order
};

PreparedFile prepare(std::vector<TensorToWrite> tensors,
                     const std::map<std::string, std::string>& metadata,
                     std::string_view file_label) {
  const auto fail = [&](const std::string& message) {
    throw Error("cannot write " + std::string(file_label) + ": " + message);
  };
  std::set<std::string_view> names;
  for (const TensorToWrite& tensor : tensors) {
    const std::string where = "tensor '" + tensor.name + "': ";
    if (tensor.name.empty()) fail("a tensor has an empty name");
    if (tensor.name == "__metadata__") fail(where + "the name is reserved for metadata");
    if (!names.insert(tensor.name).second) fail(where + "the name appears twice");
    std::uint64_t elements = 1;
    for (std::int64_t size : tensor.shape) {
      if (size < 0) fail(where + "negative dimension " + std::to_string(size));
      elements *= static_cast<std::uint64_t>(size);
    }
    if (elements * dtype_size(tensor.dtype) != tensor.bytes.size()) {
      fail(where + "has " + std::to_string(tensor.bytes.size()) + " bytes but its " +
           std::string(dtype_name(tensor.dtype)) + " shape needs " +
           std::to_string(elements * dtype_size(tensor.dtype)));
    }
  }
  std::sort(tensors.begin(), tensors.end(), [](const TensorToWrite& a, const TensorToWrite& b) {
    if (a.dtype != b.dtype) return a.dtype > b.dtype;
    return a.name < b.name;
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const TensorToWrite& tensor : tensors) {
    const std::uint64_t end = offset + tensor.bytes.size();
    header[tensor.name] = {{"dtype", dtype_name(tensor.dtype)},
                           {"shape", tensor.shape},
                           {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  PreparedFile prepared;
  const std::uint64_t length = header_text.size();
  for (int i = 0; i < 8; ++i)
    prepared.prefix.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
  prepared.prefix += header_text;
  prepared.tensors = std::move(tensors);
  return prepared;
}

}  // namespace

void write_safetensors(const std::filesystem::path& file, std::vector<TensorToWrite> tensors,
                       const std::map<std::string, std::string>& metadata) {
  const PreparedFile prepared = prepare(std::move(tensors), metadata, file.string());
  AtomicFileWriter writer(file);
  writer.write(prepared.prefix);
  for (const TensorToWrite& tensor : prepared.tensors) writer.write(tensor.bytes);
  writer.commit();
}

std::vector<std::byte> serialize_safetensors(std::vector<TensorToWrite> tensors,
                                             const std::map<std::string, std::string>& metadata) {
  const PreparedFile prepared = prepare(std::move(tensors), metadata, "safetensors buffer");
  std::vector<std::byte> bytes;
  const auto* prefix = reinterpret_cast<const std::byte*>(prepared.prefix.data());
  bytes.insert(bytes.end(), prefix, prefix + prepared.prefix.size());
  for (const TensorToWrite& tensor : prepared.tensors) {
    bytes.insert(bytes.end(), tensor.bytes.begin(), tensor.bytes.end());
  }
  return bytes;
}

}  // namespace paddock::transformer
