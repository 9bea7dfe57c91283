// Training batches of pool samples: the policy reads sequence_prefix + reward token + prompt +
// response (AlpacaFarm's placement: the token right after BOS, before the prompt), the
// reference the same without the token, so its distribution is the unconditioned one.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "paddock/quark/quark_pool.hpp"
#include "paddock/rl/response_batch.hpp"

namespace paddock::quark {

struct QuarkExample {
  const PoolEntry* entry = nullptr;
  std::optional<std::int64_t> reward_token;  // the token id the policy is conditioned on
};

struct QuarkBatch {
  rl::ResponseBatch policy;     // with the reward tokens
  rl::ResponseBatch reference;  // without; the same response columns and mask
};

// `prompt_ids[entry.prompt]` is sequence_prefix + tokenize(prompt text); the reward token goes
// after the first `prefix_length` ids.
QuarkBatch make_quark_batch(const std::vector<QuarkExample>& examples,
                            const std::vector<std::vector<std::int64_t>>& prompt_ids,
                            std::size_t prefix_length, std::int64_t pad_token_id,
                            torch::Device device);

// Next-token logits at the columns that predict each response token: [B, R, V].
torch::Tensor response_logits(CausalLanguageModel& model, const rl::ResponseBatch& batch);

}  // namespace paddock::quark
