// Padding token sequences into one batch: ids, attention mask and the mask of target tokens
// (those after each sequence's prompt), padded on the left or the right.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "paddock/learning/token_sequences.hpp"

namespace paddock::learning {

enum class PaddingSide { left, right };

struct TokenBatch {
  torch::Tensor ids;             // [B, T] long
  torch::Tensor attention_mask;  // [B, T] long: 0 = padding, else the token's document (1, 2, ...)
  torch::Tensor target_mask;     // [B, T] float, 1 = a response token the loss covers
  std::int64_t target_tokens = 0;
  std::int64_t tokens = 0;  // real tokens, padding excluded
};

TokenBatch make_token_batch(const std::vector<const TokenSequence*>& sequences,
                            std::int64_t pad_token_id, PaddingSide side, torch::Device device);

}  // namespace paddock::learning
