// Names and sizes of the safetensors element types.
#include "paddock/transformer/dtype.hpp"

#include <array>

namespace paddock::transformer {
namespace {

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  std::size_t size;
};

constexpr std::array<DTypeInfo, 15> kDTypes = {{
    {DType::bool8, "BOOL", 1},
    {DType::uint8, "U8", 1},
    {DType::int8, "I8", 1},
    {DType::float8_e5m2, "F8_E5M2", 1},
    {DType::float8_e4m3, "F8_E4M3", 1},
    {DType::int16, "I16", 2},
    {DType::uint16, "U16", 2},
    {DType::float16, "F16", 2},
    {DType::bfloat16, "BF16", 2},
    {DType::int32, "I32", 4},
    {DType::uint32, "U32", 4},
    {DType::float32, "F32", 4},
    {DType::float64, "F64", 8},
    {DType::int64, "I64", 8},
    {DType::uint64, "U64", 8},
}};

}  // namespace

std::string_view dtype_name(DType dtype) {
  return kDTypes[static_cast<std::size_t>(dtype)].name;
}

std::size_t dtype_size(DType dtype) {
  return kDTypes[static_cast<std::size_t>(dtype)].size;
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (const DTypeInfo& info : kDTypes) {
    if (info.name == name) return info.dtype;
  }
  return std::nullopt;
}

std::string_view known_dtype_names() {
  return "BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64";
}

}  // namespace paddock::transformer
