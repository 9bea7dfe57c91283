// Preference pairs as token sequences for the pairwise learners (dpo, and third-party ones
// such as the SimPO example): both sides tokenised with the policy's prompt template, the
// length limit applied to each, and the response log-probabilities of both sides of a set
// of pairs from one forward pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "paddock/dataset.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/learning/record_fields.hpp"
#include "paddock/learning/token_sequences.hpp"

namespace paddock::learning {

struct TokenPair {
  TokenSequence chosen;    // prompt + preferred response + EOS, the prompt masked
  TokenSequence rejected;  // prompt + the other response + EOS
};

struct TokenPairs {
  std::vector<TokenPair> pairs;
  std::size_t rows = 0;         // rows read
  std::size_t ties = 0;         // skipped: preference 0
  std::size_t unannotated = 0;  // skipped: no preference
  std::size_t too_long = 0;     // skipped: a side dropped by the length limit
};

// The usable pairs of `data` (instruction, input, output_1, output_2, preference), each side
// limited to min(max_length, the model's context). Throws paddock::Error, naming `source`,
// when none is usable.
TokenPairs tokenize_preference_pairs(const LanguageModel& model, const Dataset& data,
                                     const RecordSource& source, std::int64_t max_length,
                                     Truncation truncation);

// The response log-probabilities of the chosen and rejected sides of pairs[rows]: [B] each,
// per-token means when `per_token_mean`, else sums; both sides read behind one pass over
// their prompt. `tokens`, when given, gets the tokens that pass reads.
std::pair<torch::Tensor, torch::Tensor> pair_logprobs(CausalLanguageModel& model,
                                                      const std::vector<TokenPair>& pairs,
                                                      const std::vector<std::size_t>& rows,
                                                      bool per_token_mean,
                                                      std::int64_t* tokens = nullptr);

// Each pair's longer side in tokens: what group_by_length sorts pairs by.
std::vector<std::size_t> pair_lengths(const std::vector<TokenPair>& pairs);

}  // namespace paddock::learning
