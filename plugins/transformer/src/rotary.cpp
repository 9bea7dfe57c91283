// The rotary frequencies of LLaMA-family models, with config.json's rope_scaling.
#include "paddock/transformer/rotary.hpp"

#include <torch/torch.h>

namespace paddock::transformer {
namespace {

constexpr double kPi = 3.14159265358979323846;

}  // namespace

torch::Tensor rotary_inverse_frequencies(const ModelConfig& config, const torch::Device& device) {
  // In float32 on the device, as Hugging Face computes them: no host copy per pass.
  const std::int64_t d = config.head_dim();
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  const auto plain =
      torch::pow(config.rope_theta, -torch::arange(0, d, 2, options) / static_cast<double>(d));
  const RopeScaling& scaling = config.rope_scaling;
  if (scaling.type == RopeScalingType::linear) return plain / scaling.factor;
  if (scaling.type != RopeScalingType::llama3) return plain;
  const auto original = static_cast<double>(scaling.original_max_positions);
  const auto wavelength = 2 * kPi / plain;
  const auto slowed = plain / scaling.factor;
  // 0 at the long end of the band, 1 at the short end: from f / factor to f.
  const auto smooth = (original / wavelength - scaling.low_frequency_factor) /
                      (scaling.high_frequency_factor - scaling.low_frequency_factor);
  const auto blended = (1 - smooth) * slowed + smooth * plain;
  return torch::where(
      wavelength > original / scaling.low_frequency_factor, slowed,
      torch::where(wavelength < original / scaling.high_frequency_factor, plain, blended));
}

}  // namespace paddock::transformer
