// Log-probabilities of continuations under a causal language model: per token, summed and
// averaged over each row's target tokens (the response, prompt excluded).
#pragma once

#include <torch/types.h>

#include "paddock/learning/token_batch.hpp"
#include "paddock/torch/causal_lm.hpp"

namespace paddock::learning {

// log p(ids[:, t] | ids[:, <t]) for t = 1..T-1: [B, T-1], zero where the target mask is 0.
torch::Tensor token_logprobs(CausalLanguageModel& model, const TokenBatch& batch);
// The target mask aligned with token_logprobs: [B, T-1].
torch::Tensor shifted_target_mask(const TokenBatch& batch);

// Sum over each row's target tokens: [B].
torch::Tensor summed_logprobs(CausalLanguageModel& model, const TokenBatch& batch);
// Mean over each row's target tokens (0 for a row without targets): [B].
torch::Tensor mean_logprobs(CausalLanguageModel& model, const TokenBatch& batch);

// Mean negative log-likelihood over every target token of the batch: a scalar.
torch::Tensor language_model_loss(CausalLanguageModel& model, const TokenBatch& batch);

}  // namespace paddock::learning
