// fp32 <-> fp16 and fp32 <-> bf16 by bit manipulation, rounding to nearest even.
#include "paddock/transformer/half_precision.hpp"

#include <bit>
#include <cmath>
#include <string>

#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

// Drops the low `shift` bits of `value`, rounding to nearest with ties to even.
std::uint32_t shift_right_rounding_to_even(std::uint32_t value, int shift) {
  if (shift == 0) return value;
  const std::uint32_t kept = value >> shift;
  const std::uint32_t remainder = value & ((1u << shift) - 1u);
  const std::uint32_t halfway = 1u << (shift - 1);
  if (remainder > halfway || (remainder == halfway && (kept & 1u) != 0)) return kept + 1;
  return kept;
}

void check_lengths(std::size_t in, std::size_t out, const char* what) {
  if (in != out) {
    throw Error(std::string(what) + ": input has " + std::to_string(in) +
                " values but the output has room for " + std::to_string(out));
  }
}

}  // namespace

std::uint16_t float_to_half_bits(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  const std::uint32_t sign = (bits >> 16) & 0x8000u;
  const std::uint32_t exponent = (bits >> 23) & 0xFFu;
  const std::uint32_t mantissa = bits & 0x7FFFFFu;
  if (exponent == 0xFF) {  // infinity or NaN; NaN keeps its top payload bits and stays quiet
    if (mantissa == 0) return static_cast<std::uint16_t>(sign | 0x7C00u);
    return static_cast<std::uint16_t>(sign | 0x7E00u | (mantissa >> 13));
  }
  const int half_exponent = static_cast<int>(exponent) - 127 + 15;
  if (half_exponent >= 31) return static_cast<std::uint16_t>(sign | 0x7C00u);
  if (half_exponent <= 0) {
    // A half subnormal (or zero): the value is significand * 2^-24.
    if (half_exponent < -10) return static_cast<std::uint16_t>(sign);
    const std::uint32_t significand = mantissa | 0x800000u;
    const std::uint32_t rounded = shift_right_rounding_to_even(significand, 14 - half_exponent);
    return static_cast<std::uint16_t>(sign | rounded);  // 0x400 after rounding up is the
                                                        // smallest normal, as it should be
  }
  // Normal: a carry out of the mantissa bumps the exponent, up to infinity.
  const std::uint32_t combined = (static_cast<std::uint32_t>(half_exponent) << 23) | mantissa;
  return static_cast<std::uint16_t>(sign | shift_right_rounding_to_even(combined, 13));
}

float half_bits_to_float(std::uint16_t half) {
  const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
  const std::uint32_t exponent = (half >> 10) & 0x1Fu;
  const std::uint32_t mantissa = half & 0x3FFu;
  if (exponent == 0) {
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign != 0 ? -magnitude : magnitude;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

std::uint16_t float_to_bfloat16_bits(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  if (std::isnan(value)) return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);  // quiet
  return static_cast<std::uint16_t>(shift_right_rounding_to_even(bits, 16));
}

float bfloat16_bits_to_float(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

void floats_to_half_bits(std::span<const float> values, std::span<std::uint16_t> out) {
  check_lengths(values.size(), out.size(), "floats_to_half_bits");
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = float_to_half_bits(values[i]);
}

void half_bits_to_floats(std::span<const std::uint16_t> bits, std::span<float> out) {
  check_lengths(bits.size(), out.size(), "half_bits_to_floats");
  for (std::size_t i = 0; i < bits.size(); ++i) out[i] = half_bits_to_float(bits[i]);
}

void floats_to_bfloat16_bits(std::span<const float> values, std::span<std::uint16_t> out) {
  check_lengths(values.size(), out.size(), "floats_to_bfloat16_bits");
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = float_to_bfloat16_bits(values[i]);
}

void bfloat16_bits_to_floats(std::span<const std::uint16_t> bits, std::span<float> out) {
  check_lengths(bits.size(), out.size(), "bfloat16_bits_to_floats");
  for (std::size_t i = 0; i < bits.size(); ++i) out[i] = bfloat16_bits_to_float(bits[i]);
}

}  // namespace paddock::transformer
