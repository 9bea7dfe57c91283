// Reading a tensor's elements as fp32, whatever floating-point dtype the file stores.
#pragma once

#include <vector>

#include "paddock/transformer/tensor_view.hpp"

namespace paddock::transformer {

// F32, F16, BF16 and F64 convert (F64 rounds to nearest); other dtypes throw paddock::Error
// naming the tensor. Works for unaligned data.
std::vector<float> tensor_to_floats(const TensorView& tensor);

}  // namespace paddock::transformer
