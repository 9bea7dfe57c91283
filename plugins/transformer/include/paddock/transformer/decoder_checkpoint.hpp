// Reading and writing a Decoder in the Hugging Face layout: config.json plus
// model.safetensors (or shards with their index). Reward and value heads, when present, are
// stored beside the weights as `score.*` and `value_head.*`.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "paddock/transformer/decoder.hpp"

namespace paddock::transformer {

struct DecoderCheckpoint {
  Decoder decoder;
  Decoder::WeightMap heads;  // "score.weight", "score.bias", "value_head.weight", ...
};

// Reads config.json and the weights (any float dtype, converted to fp32) onto `device`.
// Accepts GPT-2 names with or without the "transformer." prefix, ignores GPT-2's attention
// mask buffers and a tied lm_head. Missing, unexpected or misshapen tensors are errors
// naming the checkpoint and the tensor.
DecoderCheckpoint load_decoder_checkpoint(const std::filesystem::path& directory,
                                          torch::Device device);

// Writes config.json and fp32 safetensors (sharded above `max_shard_bytes`, 0 = never).
void save_decoder_checkpoint(const Decoder& decoder, const Decoder::WeightMap& heads,
                             const std::filesystem::path& directory,
                             std::uint64_t max_shard_bytes = 0);

}  // namespace paddock::transformer
