// Preference pairs as token sequences and their log-probabilities.
#include "paddock/learning/preference_sequences.hpp"

#include <algorithm>

#include "paddock/error.hpp"
#include "paddock/learning/preference_pairs.hpp"
#include "paddock/torch/shared_prompt_rows.hpp"

namespace paddock::learning {

TokenPairs tokenize_preference_pairs(const LanguageModel& model, const Dataset& data,
                                     const RecordSource& source, std::int64_t max_length,
                                     Truncation truncation) {
  const PreferencePairs read = read_preference_pairs(data, source);
  const std::int64_t limit = std::min(max_length, model.tensors->max_sequence_length());
  TokenPairs result;
  result.rows = data.size();
  result.ties = read.ties;
  result.unannotated = read.unannotated;
  for (const PreferencePair& pair : read.pairs) {
    bool cut_chosen = false, cut_rejected = false;
    auto chosen = limit_length(instruction_sequence(model, pair.prompt, pair.chosen(), true), limit,
                               truncation, cut_chosen);
    auto rejected = limit_length(instruction_sequence(model, pair.prompt, pair.rejected(), true),
                                 limit, truncation, cut_rejected);
    if (!chosen || !rejected) {
      ++result.too_long;
      continue;
    }
    result.pairs.push_back({std::move(*chosen), std::move(*rejected)});
  }
  if (result.pairs.empty()) {
    throw Error("node '" + source.node + "': input '" + source.port + "' has no usable pairs (" +
                std::to_string(result.rows) + " rows: " + std::to_string(result.ties) + " ties, " +
                std::to_string(result.unannotated) + " unannotated, " +
                std::to_string(result.too_long) + " too long)");
  }
  return result;
}

std::pair<torch::Tensor, torch::Tensor> pair_logprobs(CausalLanguageModel& model,
                                                      const std::vector<TokenPair>& pairs,
                                                      const std::vector<std::size_t>& rows,
                                                      bool per_token_mean, std::int64_t* tokens) {
  // Both sides of a pair share their prompt's pass (paddock/torch/shared_prompt_rows.hpp).
  std::vector<PromptedSequence> sequences;
  for (std::size_t row : rows)
    sequences.push_back({&pairs[row].chosen.ids, pairs[row].chosen.prompt_length});
  for (std::size_t row : rows)
    sequences.push_back({&pairs[row].rejected.ids, pairs[row].rejected.prompt_length});
  const SharedPromptRows packed =
      pack_shared_prompts(sequences, model.pad_token_id(), model.device());
  if (tokens) *tokens = packed.tokens;
  auto logprobs = shared_prompt_logprob_sums(model, packed);
  if (per_token_mean) logprobs = logprobs / shared_prompt_target_counts(packed).clamp_min(1.0);
  const auto count = static_cast<std::int64_t>(rows.size());
  return {logprobs.narrow(0, 0, count), logprobs.narrow(0, count, count)};
}

std::vector<std::size_t> pair_lengths(const std::vector<TokenPair>& pairs) {
  std::vector<std::size_t> lengths;
  lengths.reserve(pairs.size());
  for (const auto& pair : pairs)
    lengths.push_back(std::max(pair.chosen.ids.size(), pair.rejected.ids.size()));
  return lengths;
}

}  // namespace paddock::learning
