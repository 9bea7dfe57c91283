// Conversions between fp32 and the 16-bit float formats checkpoints store: IEEE binary16
// ("F16") and bfloat16 ("BF16"). Narrowing rounds to nearest, ties to even; NaN stays NaN,
// infinities stay infinite, fp16 overflow becomes infinity and tiny values become subnormals.
#pragma once

#include <cstdint>
#include <span>

namespace paddock::transformer {

std::uint16_t float_to_half_bits(float value);
float half_bits_to_float(std::uint16_t bits);

std::uint16_t float_to_bfloat16_bits(float value);
float bfloat16_bits_to_float(std::uint16_t bits);

// Element-wise over arrays of equal length (throws paddock::Error when they differ).
void floats_to_half_bits(std::span<const float> values, std::span<std::uint16_t> out);
void half_bits_to_floats(std::span<const std::uint16_t> bits, std::span<float> out);
void floats_to_bfloat16_bits(std::span<const float> values, std::span<std::uint16_t> out);
void bfloat16_bits_to_floats(std::span<const std::uint16_t> bits, std::span<float> out);

}  // namespace paddock::transformer
