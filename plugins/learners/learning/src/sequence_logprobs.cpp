// Continuation log-probabilities from hidden states and the language-model head.
#include "paddock/learning/sequence_logprobs.hpp"

#include <torch/torch.h>

namespace paddock::learning {

torch::Tensor token_logprobs(CausalLanguageModel& model, const TokenBatch& batch) {
  const std::int64_t rows = batch.ids.size(0), steps = batch.ids.size(1);
  const auto hidden = model.hidden_states(batch.ids, batch.attention_mask);
  const auto mask = shifted_target_mask(batch);
  // Position t predicts token t + 1. Only positions with a target get the language-model
  // head and the softmax over the vocabulary: an instruction example's prompt is about half
  // its tokens, and padding needs none either.
  const auto targets = mask.nonzero();  // [K, 2]: (row, position)
  const auto flat = targets.select(1, 0) * steps + targets.select(1, 1);
  const auto predicting = hidden.reshape({rows * steps, hidden.size(2)}).index_select(0, flat);
  const auto logits = model.lm_logits(predicting).to(torch::kFloat32);
  const auto next = batch.ids.reshape(-1).index_select(0, flat + 1);
  const auto chosen = torch::log_softmax(logits, -1).gather(-1, next.unsqueeze(-1)).squeeze(-1);
  // Back into [B, T-1], zero where there is no target.
  const auto packed_positions = targets.select(1, 0) * (steps - 1) + targets.select(1, 1);
  return torch::zeros({rows * (steps - 1)}, chosen.options())
      .index_copy(0, packed_positions, chosen)
      .view({rows, steps - 1});
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
