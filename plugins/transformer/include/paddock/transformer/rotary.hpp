// LLaMA's rotary embedding: the angle each pair of a head's dimensions turns per position.
#pragma once

#include <torch/types.h>

#include <vector>

#include "paddock/transformer/model_config.hpp"

namespace paddock::transformer {

// How much rope_scaling slows each of the head_dim / 2 frequencies: 1 for none; `factor` for
// every one under linear scaling; under llama3 1 where the wavelength (2 pi / frequency) is
// shorter than original_max_positions / high_freq_factor, `factor` where it is longer than
// original_max_positions / low_freq_factor, and a blend between, as Hugging Face and Meta's
// reference compute it.
std::vector<double> rotary_slowdowns(const ModelConfig& config);

// theta^(-2i / head_dim) / slowdown_i for i < head_dim / 2, float32 on `device`.
torch::Tensor rotary_inverse_frequencies(const ModelConfig& config, const torch::Device& device);

}  // namespace paddock::transformer
