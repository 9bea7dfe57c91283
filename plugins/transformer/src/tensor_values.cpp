// Element conversion from a tensor view's raw bytes to fp32.
#include "paddock/transformer/tensor_values.hpp"

#include <cstring>
#include <string>

#include "paddock/error.hpp"
#include "paddock/transformer/half_precision.hpp"

namespace paddock::transformer {
namespace {

template <typename Element>
Element load_element(const std::byte* bytes, std::size_t index) {
  Element value;
  std::memcpy(&value, bytes + index * sizeof(Element), sizeof(Element));
  return value;
}

}  // namespace

std::vector<float> tensor_to_floats(const TensorView& tensor) {
  const std::size_t count = tensor.bytes.size() / dtype_size(tensor.dtype);
  std::vector<float> values(count);
  const std::byte* bytes = tensor.bytes.data();
  switch (tensor.dtype) {
    case DType::float32:
      if (count > 0) std::memcpy(values.data(), bytes, count * sizeof(float));
      break;
    case DType::float16:
      for (std::size_t i = 0; i < count; ++i) {
        values[i] = half_bits_to_float(load_element<std::uint16_t>(bytes, i));
      }
      break;
    case DType::bfloat16:
      for (std::size_t i = 0; i < count; ++i) {
        values[i] = bfloat16_bits_to_float(load_element<std::uint16_t>(bytes, i));
      }
      break;
    case DType::float64:
      for (std::size_t i = 0; i < count; ++i) {
        values[i] = static_cast<float>(load_element<double>(bytes, i));
      }
      break;
    default:
      throw Error("tensor '" + tensor.name + "' has dtype " +
                  std::string(dtype_name(tensor.dtype)) +
                  "; only F32, F16, BF16 and F64 convert to fp32");
  }
  return values;
}

}  // namespace paddock::transformer
