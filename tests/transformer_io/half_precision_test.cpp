// fp16 and bf16 conversions: known values, rounding ties, specials, exhaustive round trips.
#include "paddock/transformer/half_precision.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

float from_bits(std::uint32_t bits) {
  return std::bit_cast<float>(bits);
}

TEST(HalfPrecision, KnownFloat16Values) {
  EXPECT_EQ(float_to_half_bits(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half_bits(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half_bits(0.0f), 0x0000);
  EXPECT_EQ(float_to_half_bits(-0.0f), 0x8000);
  EXPECT_EQ(float_to_half_bits(65504.0f), 0x7BFF);  // largest finite half
  EXPECT_EQ(float_to_half_bits(65520.0f), 0x7C00);  // halfway to 65536 rounds up to infinity
  EXPECT_EQ(float_to_half_bits(65519.0f), 0x7BFF);
  EXPECT_EQ(float_to_half_bits(1e10f), 0x7C00);
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(float_to_half_bits(-std::numeric_limits<float>::infinity()), 0xFC00);
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -25)), 0x0000);  // tie -> even (zero)
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(float_to_half_bits(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 ulp tie -> even (2)
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -26)), 0x0000);
  EXPECT_EQ(float_to_half_bits(1.0f + std::ldexp(1.0f, -11)), 0x3C00);      // tie, even below
  EXPECT_EQ(float_to_half_bits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie, even above
  EXPECT_EQ(float_to_half_bits(1.0f + std::ldexp(1.0f, -10)), 0x3C01);
  EXPECT_TRUE(std::isnan(half_bits_to_float(float_to_half_bits(std::nanf("")))));
  EXPECT_FLOAT_EQ(half_bits_to_float(0x3555), 0.333251953125f);
  EXPECT_EQ(half_bits_to_float(0x0001), std::ldexp(1.0f, -24));
}

TEST(HalfPrecision, EveryFloat16SurvivesARoundTrip) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto half = static_cast<std::uint16_t>(bits);
    const float value = half_bits_to_float(half);
    if ((bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0) {
      EXPECT_TRUE(std::isnan(value));
      continue;
    }
    ASSERT_EQ(float_to_half_bits(value), half) << "bits " << bits;
  }
}

TEST(HalfPrecision, KnownBfloat16Values) {
  EXPECT_EQ(float_to_bfloat16_bits(1.0f), 0x3F80);
  EXPECT_EQ(float_to_bfloat16_bits(-1.0f), 0xBF80);
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x3F808000)), 0x3F80);  // tie, even below
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x3F818000)), 0x3F82);  // tie, even above
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x3F808001)), 0x3F81);
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x7F7FFFFF)), 0x7F80);  // max float -> infinity
  EXPECT_EQ(float_to_bfloat16_bits(std::numeric_limits<float>::infinity()), 0x7F80);
  EXPECT_TRUE(std::isnan(bfloat16_bits_to_float(float_to_bfloat16_bits(from_bits(0x7F800001)))));
  EXPECT_EQ(bfloat16_bits_to_float(0x4049), 3.140625f);
}

TEST(HalfPrecision, EveryBfloat16SurvivesARoundTrip) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto value = bfloat16_bits_to_float(static_cast<std::uint16_t>(bits));
    if (std::isnan(value)) continue;
    ASSERT_EQ(float_to_bfloat16_bits(value), bits);
  }
}

TEST(HalfPrecision, ArrayHelpersConvertAndCheckLengths) {
  const std::vector<float> values = {1.0f, -0.5f, 2.0f};
  std::vector<std::uint16_t> halves(3);
  floats_to_half_bits(values, halves);
  std::vector<float> back(3);
  half_bits_to_floats(halves, back);
  EXPECT_EQ(back, values);
  floats_to_bfloat16_bits(values, halves);
  bfloat16_bits_to_floats(halves, back);
  EXPECT_EQ(back, values);
  std::vector<std::uint16_t> too_short(2);
  EXPECT_THROW(floats_to_half_bits(values, too_short), paddock::Error);
}

}  // namespace
}  // namespace paddock::transformer
