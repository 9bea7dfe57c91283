// LLaMA's rotary embedding: the angle each pair of a head's dimensions turns per position.
#pragma once

#include <torch/types.h>

#include "paddock/transformer/model_config.hpp"

namespace paddock::transformer {

// theta^(-2i / head_dim) for i < head_dim / 2, float32 on `device`, slowed as rope_scaling
// asks: linear divides every one by `factor`; llama3 keeps those whose wavelength
// (2 pi / frequency) is shorter than original_max_positions / high_freq_factor, divides those
// longer than original_max_positions / low_freq_factor by `factor`, and blends between, as
// Hugging Face and Meta's reference compute it.
torch::Tensor rotary_inverse_frequencies(const ModelConfig& config, const torch::Device& device);

}  // namespace paddock::transformer
