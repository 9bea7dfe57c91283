// Micro-batches of preference pairs for a reward model: each distinct response of a batch is
// scored once, and the pairs of one prompt can be kept together so that their shared
// responses are (a prompt's K samples make up to K(K-1)/2 pairs but only K responses).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "paddock/learning/token_sequences.hpp"

namespace paddock::learning {

// Both responses of a pair as the reward model reads them (prompt + response).
struct SequencePair {
  TokenSequence first;
  TokenSequence second;
  float label = 0.0f;      // 1 when the second is preferred
  std::size_t row = 0;     // in the input Dataset
  std::size_t prompt = 0;  // pairs with the same prompt share this number
};

// The distinct sequences of `rows` (equal token ids count once), firsts then seconds in row
// order, and for each row where its two sides are among them.
struct DistinctSides {
  std::vector<const TokenSequence*> sequences;
  std::vector<std::int64_t> first;   // per row: index into sequences
  std::vector<std::int64_t> second;  // per row: index into sequences
};
DistinctSides distinct_sides(const std::vector<SequencePair>& pairs,
                             const std::vector<std::size_t>& rows);

// Indices of `pairs` grouped by prompt: groups in order of their first pair, pairs in order.
std::vector<std::vector<std::size_t>> pairs_by_prompt(const std::vector<SequencePair>& pairs);

// Prompts per micro-batch that hold about `pairs_per_batch` pairs on average (at least 1).
std::int64_t prompts_per_batch(std::int64_t pairs_per_batch, std::size_t pairs,
                               std::size_t prompts);

}  // namespace paddock::learning
