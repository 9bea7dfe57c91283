// The rotary frequencies of LLaMA-family models, with config.json's rope_scaling.
#include "paddock/transformer/rotary.hpp"

#include <torch/torch.h>

#include <cmath>

namespace paddock::transformer {
namespace {

constexpr double kPi = 3.14159265358979323846;

// theta^(-2i / d) in float32 arithmetic, as Hugging Face computes it (unscaled).
torch::Tensor plain_inverse_frequencies(const ModelConfig& config) {
  const std::int64_t d = config.head_dim();
  return torch::pow(config.rope_theta,
                    -torch::arange(0, d, 2, torch::kFloat32) / static_cast<double>(d));
}

}  // namespace

std::vector<double> rotary_slowdowns(const ModelConfig& config) {
  const auto frequencies = plain_inverse_frequencies(config);
  const auto count = static_cast<std::size_t>(frequencies.numel());
  const RopeScaling& scaling = config.rope_scaling;
  std::vector<double> slowdowns(count, 1.0);
  if (scaling.type == RopeScalingType::linear) {
    slowdowns.assign(count, scaling.factor);
  } else if (scaling.type == RopeScalingType::llama3) {
    const auto original = static_cast<double>(scaling.original_max_positions);
    const double long_wavelength = original / scaling.low_frequency_factor;
    const double short_wavelength = original / scaling.high_frequency_factor;
    const auto values = frequencies.accessor<float, 1>();
    for (std::size_t i = 0; i < count; ++i) {
      const double wavelength = 2 * kPi / values[static_cast<std::int64_t>(i)];
      if (wavelength > long_wavelength) {
        slowdowns[i] = scaling.factor;
      } else if (wavelength >= short_wavelength) {
        // 0 at the long end, 1 at the short end: the frequency moves from f / factor to f.
        const double smooth = (original / wavelength - scaling.low_frequency_factor) /
                              (scaling.high_frequency_factor - scaling.low_frequency_factor);
        slowdowns[i] = 1 / ((1 - smooth) / scaling.factor + smooth);
      }
    }
  }
  return slowdowns;
}

torch::Tensor rotary_inverse_frequencies(const ModelConfig& config, const torch::Device& device) {
  auto frequencies = plain_inverse_frequencies(config);
  if (config.rope_scaling.type != RopeScalingType::none) {
    frequencies = frequencies / torch::tensor(rotary_slowdowns(config), torch::kFloat64);
    frequencies = frequencies.to(torch::kFloat32);
  }
  return frequencies.to(device);
}

}  // namespace paddock::transformer
