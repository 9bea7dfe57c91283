// The decoder-only transformer in LibTorch. Weights live in a name -> tensor map under the
// Hugging Face names of the model's family, every matrix in [out, in] layout (GPT-2's
// Conv1D weights are transposed when read and written), so checkpoints map one to one.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "paddock/transformer/model_config.hpp"

namespace paddock::transformer {

// Keys and values of every layer for incremental decoding, allocated once for the longest
// sequence: [batch, kv_heads, capacity, head_dim] per layer.
struct KeyValueCache {
  std::vector<torch::Tensor> keys;
  std::vector<torch::Tensor> values;
  std::int64_t length = 0;  // positions filled so far
  std::int64_t capacity = 0;
};

class Decoder {
 public:
  using WeightMap = std::map<std::string, torch::Tensor>;

  Decoder(ModelConfig config, WeightMap weights);

  // Fresh weights for `config` (GPT-2's initialisation: N(0, 0.02), residual projections
  // scaled by 1/sqrt(2 * layers), norms at one, biases at zero), drawn on the CPU from
  // `seed` so every device gets the same model.
  static Decoder initialise(const ModelConfig& config, std::uint64_t seed, torch::Device device);

  const ModelConfig& config() const { return config_; }
  WeightMap& weights() { return weights_; }
  const WeightMap& weights() const { return weights_; }
  torch::Device device() const;

  // Final hidden states [B, T, H] for token ids [B, T] at positions [B, T]. `key_mask`
  // [B, K] numbers the document each key position belongs to (0 = padding; 1, 2, ... rising
  // along a row for packed documents; a 0/1 mask is one document per row), K = cache length
  // + T with a cache, T without. A query attends to earlier positions of its own document
  // only, and to the shared prompt its document continues: a run of one negative number
  // (-1, -2, ..., distinct within a row, no padding inside) that every later document of the
  // row continues until the row's next shared prompt. With a cache, this call's keys and
  // values are appended to it.
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& positions,
                        const torch::Tensor& key_mask, KeyValueCache* cache = nullptr) const;
  // Next-token logits [..., V].
  torch::Tensor logits(const torch::Tensor& hidden) const;

  KeyValueCache make_cache(std::int64_t batch, std::int64_t capacity) const;

  // Adds rows to the token embedding (and an untied output layer), each the mean of the
  // existing rows, for tokens added to the vocabulary.
  void grow_vocabulary(std::int64_t new_vocab_size);

  // The name and shape of every weight a model of `config` has (heads excluded).
  static std::map<std::string, std::vector<std::int64_t>> weight_shapes(const ModelConfig& config);
  // Whether a checkpoint stores this weight transposed ([in, out], GPT-2's Conv1D).
  bool stored_transposed(const std::string& name) const;

 private:
  // What every layer's attention shares in one forward pass, computed once.
  struct AttentionContext {
    torch::Tensor allowed;   // [B, 1, T, K]: which keys each query may attend to
    torch::Tensor bias;      // [B, T, K] additive form of `allowed`, on the CPU only
    torch::Tensor cos, sin;  // [B, 1, T, D] float32 rotary tables (LLaMA); none for GPT-2
    std::int64_t start = 0;  // the cache length before this call
  };
  AttentionContext attention_context(const torch::Tensor& positions, const torch::Tensor& key_mask,
                                     std::int64_t steps, const KeyValueCache* cache) const;
  torch::Tensor attention(const torch::Tensor& x, std::int64_t layer,
                          const AttentionContext& context, KeyValueCache* cache) const;
  torch::Tensor feed_forward(const torch::Tensor& x, std::int64_t layer) const;
  torch::Tensor norm(const torch::Tensor& x, const std::string& prefix) const;
  const torch::Tensor& weight(const std::string& name) const;
  std::string layer_prefix(std::int64_t layer) const;

  ModelConfig config_;
  WeightMap weights_;
  // LLaMA's rotary frequencies on the weights' device at construction, so a decoding step
  // does not recompute them (recomputed for another device).
  torch::Tensor rotary_frequencies_;
};

// Positions for a left- or right-padded batch: each document (a run of one non-zero mask
// value, see Decoder::forward) counts from 0 at its first token; a 0/1 mask gives each row
// 0, 1, 2, ... from its first token. A document continuing a shared prompt counts on from
// the prompt's length, as if it followed the prompt alone.
torch::Tensor positions_from_mask(const torch::Tensor& mask);

}  // namespace paddock::transformer
