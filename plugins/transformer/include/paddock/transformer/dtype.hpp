// The element types a safetensors file can hold, their names in the header and their sizes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace paddock::transformer {

// Declared in the order the safetensors reference implementation ranks dtypes; the writer
// lays tensors out by this rank, highest first, then by name.
enum class DType : std::uint8_t {
  bool8,        // "BOOL", one byte per element
  uint8,        // "U8"
  int8,         // "I8"
  float8_e5m2,  // "F8_E5M2"
  float8_e4m3,  // "F8_E4M3"
  int16,        // "I16"
  uint16,       // "U16"
  float16,      // "F16"
  bfloat16,     // "BF16"
  int32,        // "I32"
  uint32,       // "U32"
  float32,      // "F32"
  float64,      // "F64"
  int64,        // "I64"
  uint64,       // "U64"
};

// The header spelling, e.g. "BF16".
std::string_view dtype_name(DType dtype);

// Parses a header spelling; nullopt for a name safetensors does not define (or we do not know).
std::optional<DType> parse_dtype(std::string_view name);

// Bytes per element.
std::size_t dtype_size(DType dtype);

// The list of known names, for error messages: "BOOL, U8, I8, ...".
std::string_view known_dtype_names();

}  // namespace paddock::transformer
