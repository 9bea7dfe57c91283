// Parsing and validation of a safetensors file's layout: the 8-byte little-endian header
// length N, N bytes of JSON header, then the data buffer. Every field is checked; errors name
// the file and the tensor or field. Pure function over bytes, so it can be fuzzed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "paddock/transformer/dtype.hpp"

namespace paddock::transformer {

// Headers larger than this are refused (the reference implementation's limit too).
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

struct SafetensorsEntry {
  std::string name;
  DType dtype = DType::float32;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  // byte offsets relative to the start of the data buffer
  std::uint64_t end = 0;
};

struct SafetensorsLayout {
  std::uint64_t data_start = 0;                 // 8 + header length
  std::vector<SafetensorsEntry> tensors;        // ordered by data offset
  std::map<std::string, std::string> metadata;  // "__metadata__", empty when absent
};

// Validates `file_bytes` (the whole file) and returns where each tensor lives. `file_label`
// (usually the path) starts every error message. Checks: the file holds the 8-byte length
// and the header; the header is at most kMaxSafetensorsHeaderBytes, starts with '{', is
// valid UTF-8 JSON (trailing spaces allowed) with no duplicate names; each tensor has a known
// dtype, a shape of non-negative integers, data_offsets [begin, end] with begin <= end and
// end - begin == elements * dtype size; "__metadata__" maps strings to strings; the tensors
// cover the data buffer exactly, with no gap, overlap or trailing bytes.
SafetensorsLayout parse_safetensors_layout(std::span<const std::byte> file_bytes,
                                           std::string_view file_label);

}  // namespace paddock::transformer
