// Padded batches of token sequences.
#include "paddock/learning/token_batch.hpp"

#include <torch/torch.h>

#include <algorithm>

#include "paddock/error.hpp"

namespace paddock::learning {

TokenBatch make_token_batch(const std::vector<const TokenSequence*>& sequences,
                            std::int64_t pad_token_id, PaddingSide side, torch::Device device) {
  if (sequences.empty()) throw Error("make_token_batch: no sequences");
  std::int64_t longest = 0;
  for (const TokenSequence* sequence : sequences)
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(sequence->ids.size()));
  const auto rows = static_cast<std::int64_t>(sequences.size());
  std::vector<std::int64_t> ids(rows * longest, pad_token_id), attention(rows * longest, 0);
  std::vector<float> targets(rows * longest, 0.0f);
  TokenBatch batch;
  for (std::int64_t b = 0; b < rows; ++b) {
    const TokenSequence& sequence = *sequences[b];
    const auto length = static_cast<std::int64_t>(sequence.ids.size());
    const std::int64_t offset = side == PaddingSide::left ? longest - length : 0;
    for (std::int64_t t = 0; t < length; ++t) {
      const std::int64_t at = b * longest + offset + t;
      ids[at] = sequence.ids[t];
      attention[at] = 1;
      if (t >= sequence.prompt_length && t > 0) {
        targets[at] = 1.0f;
        ++batch.target_tokens;
      }
    }
    batch.tokens += length;
  }
  batch.ids = torch::tensor(ids, torch::kLong).view({rows, longest}).to(device);
  batch.attention_mask = torch::tensor(attention, torch::kLong).view({rows, longest}).to(device);
  batch.target_mask = torch::tensor(targets, torch::kFloat32).view({rows, longest}).to(device);
  return batch;
}

}  // namespace paddock::learning
