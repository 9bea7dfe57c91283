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
    // A packed row numbers its documents 1, 2, ... in the attention mask (the decoder keeps
    // each to itself); a plain row is document 1.
    const std::vector<PackedDocument> whole = {{0, sequence.prompt_length}};
    const auto& documents = sequence.documents.empty() ? whole : sequence.documents;
    for (std::size_t d = 0; d < documents.size(); ++d) {
      const std::int64_t start = documents[d].start;
      const std::int64_t end = d + 1 < documents.size() ? documents[d + 1].start : length;
      for (std::int64_t t = start; t < end; ++t) {
        const std::int64_t at = b * longest + offset + t;
        ids[at] = sequence.ids[t];
        attention[at] = static_cast<std::int64_t>(d + 1);
        if (t - start >= documents[d].prompt_length && t > start) {
          targets[at] = 1.0f;
          ++batch.target_tokens;
        }
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
