// Writing one .safetensors file, atomically, laid out as the reference implementation does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "paddock/transformer/dtype.hpp"

namespace paddock::transformer {

struct TensorToWrite {
  std::string name;
  DType dtype = DType::float32;
  std::vector<std::int64_t> shape;   // empty for a scalar
  std::span<const std::byte> bytes;  // elements * dtype size bytes, little-endian
};

// Tensors are laid out in the reference implementation's order: dtype rank descending (see
// DType; the widest types first, so each tensor starts aligned to its element size when the
// header is), then name ascending. The header is compact JSON with "__metadata__" first
// (omitted when empty) and the tensors in data order, padded with spaces to a multiple of 8
// bytes. Throws paddock::Error naming the file and tensor for an empty, reserved or
// duplicate name, a negative dimension, or a byte count that does not match the shape.
void write_safetensors(const std::filesystem::path& file, std::vector<TensorToWrite> tensors,
                       const std::map<std::string, std::string>& metadata = {});

// The same layout as bytes in memory: the 8-byte length, the padded header and the data.
std::vector<std::byte> serialize_safetensors(
    std::vector<TensorToWrite> tensors, const std::map<std::string, std::string>& metadata = {});

}  // namespace paddock::transformer
