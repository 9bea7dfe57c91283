// Continuation log-probabilities from hidden states and the language-model head.
#include "paddock/learning/sequence_logprobs.hpp"

#include <torch/torch.h>

namespace paddock::learning {

torch::Tensor token_logprobs(CausalLanguageModel& model, const TokenBatch& batch) {
  const std::int64_t steps = batch.ids.size(1);
  const auto hidden = model.hidden_states(batch.ids, batch.attention_mask);
  // Position t predicts token t + 1.
  const auto logits = model.lm_logits(hidden.narrow(1, 0, steps - 1)).to(torch::kFloat32);
  const auto next = batch.ids.narrow(1, 1, steps - 1);
  const auto chosen = torch::log_softmax(logits, -1).gather(-1, next.unsqueeze(-1)).squeeze(-1);
  return chosen * shifted_target_mask(batch);
}

torch::Tensor shifted_target_mask(const TokenBatch& batch) {
  return batch.target_mask.narrow(1, 1, batch.target_mask.size(1) - 1);
}

torch::Tensor summed_logprobs(CausalLanguageModel& model, const TokenBatch& batch) {
  return token_logprobs(model, batch).sum(1);
}

torch::Tensor mean_logprobs(CausalLanguageModel& model, const TokenBatch& batch) {
  const auto counts = shifted_target_mask(batch).sum(1).clamp_min(1.0);
  return token_logprobs(model, batch).sum(1) / counts;
}

torch::Tensor language_model_loss(CausalLanguageModel& model, const TokenBatch& batch) {
  const auto total = shifted_target_mask(batch).sum().clamp_min(1.0);
  return -token_logprobs(model, batch).sum() / total;
}

}  // namespace paddock::learning
