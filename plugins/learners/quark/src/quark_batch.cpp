// Assembling policy and reference batches of pool samples.
#include "paddock/quark/quark_batch.hpp"

#include <torch/torch.h>

namespace paddock::quark {

QuarkBatch make_quark_batch(const std::vector<QuarkExample>& examples,
                            const std::vector<std::vector<std::int64_t>>& prompt_ids,
                            std::size_t prefix_length, std::int64_t pad_token_id,
                            torch::Device device) {
  std::vector<std::vector<std::int64_t>> policy_prompts, reference_prompts;
  std::vector<Generation> responses;
  std::vector<std::size_t> rows;
  for (const QuarkExample& example : examples) {
    const auto& ids = prompt_ids.at(example.entry->prompt);
    std::vector<std::int64_t> conditioned = ids;
    if (example.reward_token) {
      conditioned.insert(conditioned.begin() + static_cast<std::ptrdiff_t>(prefix_length),
                         *example.reward_token);
    }
    rows.push_back(policy_prompts.size());
    policy_prompts.push_back(std::move(conditioned));
    reference_prompts.push_back(ids);
    Generation response;
    response.token_ids = example.entry->response;
    response.text = example.entry->text;
    responses.push_back(std::move(response));
  }
  QuarkBatch batch;
  batch.policy = rl::make_response_batch(policy_prompts, rows, responses, pad_token_id, device);
  batch.reference =
      rl::make_response_batch(reference_prompts, rows, responses, pad_token_id, device);
  return batch;
}

torch::Tensor response_logits(CausalLanguageModel& model, const rl::ResponseBatch& batch) {
  const auto hidden = model.hidden_states(batch.ids, batch.attention_mask);
  return model.lm_logits(hidden.narrow(1, batch.prompt_width - 1, batch.response_width()));
}

}  // namespace paddock::quark
