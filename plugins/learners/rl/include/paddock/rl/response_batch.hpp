// Prompts and sampled responses laid out for policy-gradient training: prompts left-padded
// so they all end at column P - 1, responses right-padded from column P, so response token
// t of every row sits at column P + t and is predicted from column P + t - 1.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "paddock/capabilities.hpp"
#include "paddock/dataset.hpp"
#include "paddock/torch/causal_lm.hpp"

namespace paddock::rl {

// The prompt rows an RL learner samples from, tokenised once.
struct PromptPool {
  std::vector<InstructionPrompt> prompts;
  std::vector<std::string> texts;              // the formatted prompts
  std::vector<std::vector<std::int64_t>> ids;  // sequence_prefix + tokenize(text)
  std::vector<std::size_t> rows;               // row in the source Dataset
  std::size_t dropped = 0;                     // prompts over the length limit
};

// Reads `instruction`/`input` of every row (errors name `source` and the row), formats and
// tokenises them, and drops prompts longer than `max_prompt_tokens` (AlpacaFarm dropped
// those over 192).
PromptPool make_prompt_pool(const Dataset& data, CausalLanguageModel& tokens, TextGenerator& format,
                            std::int64_t max_prompt_tokens, const std::string& source);

struct ResponseBatch {
  torch::Tensor ids;              // [B, P + R] long
  torch::Tensor attention_mask;   // [B, P + R] long
  std::int64_t prompt_width = 0;  // P
  torch::Tensor response_mask;    // [B, R] float: 1 on sampled tokens
  torch::Tensor last_index;       // [B] long: each row's last response position
  std::vector<std::string> response_texts;
  std::vector<std::int64_t> response_lengths;

  std::int64_t size() const { return ids.size(0); }
  std::int64_t response_width() const { return ids.size(1) - prompt_width; }
};

// One row per generation; `prompt_of[i]` is the index in `prompt_ids` of generation i.
ResponseBatch make_response_batch(const std::vector<std::vector<std::int64_t>>& prompt_ids,
                                  const std::vector<std::size_t>& prompt_of,
                                  const std::vector<Generation>& generations,
                                  std::int64_t pad_token_id, torch::Device device);

// The rows `rows` (long tensor of indices) of a batch.
ResponseBatch select_rows(const ResponseBatch& batch, const torch::Tensor& rows);

// log p(response token t) for every response column: [B, R]. When `entropy` is given it
// receives the entropy of each predicting distribution, [B, R], without a gradient.
torch::Tensor response_logprobs(CausalLanguageModel& model, const ResponseBatch& batch,
                                torch::Tensor* entropy = nullptr);
// The value head at the columns that predict each response token: [B, R].
torch::Tensor response_values(CausalLanguageModel& model, const ResponseBatch& batch);

}  // namespace paddock::rl
