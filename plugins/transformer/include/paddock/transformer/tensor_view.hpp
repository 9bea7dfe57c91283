// A read-only view of one tensor's bytes inside a mapped checkpoint file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "paddock/transformer/dtype.hpp"

namespace paddock::transformer {

struct TensorView {
  std::string name;
  DType dtype = DType::float32;
  std::vector<std::int64_t> shape;   // empty for a scalar
  std::span<const std::byte> bytes;  // valid while the file that owns it is open

  std::int64_t element_count() const {
    std::int64_t count = 1;
    for (std::int64_t size : shape) count *= size;
    return count;
  }
  std::size_t size_bytes() const { return bytes.size(); }
  const std::byte* data() const { return bytes.data(); }
};

}  // namespace paddock::transformer
