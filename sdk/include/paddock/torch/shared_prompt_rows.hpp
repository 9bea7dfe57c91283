// Responses to one prompt scored in one row: the prompt once, as a shared prompt, then each
// response as a document continuing it (the mask convention of
// CausalLanguageModel::hidden_states). A reward model reading a pair or a best-of-n group
// this way computes the prompt once instead of once per response.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "paddock/export.hpp"

namespace paddock {

class CausalLanguageModel;

// One sequence to read: ids[0, prompt_length) is its prompt, the rest its response.
struct PromptedSequence {
  const std::vector<std::int64_t>* ids = nullptr;
  std::int64_t prompt_length = 0;
};

// Right-padded rows holding every sequence once. Sequences whose prompts have equal ids are
// packed together, up to kResponsesPerSharedPrompt to a row; a sequence with no prompt or no
// response (prompt_length 0 or the whole sequence), or alone with its prompt, takes a plain
// row. Rows follow the first appearance of their prompt.
struct SharedPromptRows {
  torch::Tensor ids;             // [R, T] long
  torch::Tensor mask;            // [R, T] long: -1 the shared prompt, 1, 2, ... the responses
  torch::Tensor last_positions;  // [N] long: sequence i's last token, as row * T + column
  // Every response token (ids after the prompt; after the first id when there is no prompt),
  // as row * T + column, the position whose hidden state predicts it (a response's first
  // token is predicted from its prompt's last), and the sequence it belongs to.
  torch::Tensor target_positions, predicting_positions, target_sequences;  // [M] long each
  std::int64_t tokens = 0;  // tokens in the rows, padding excluded
};

// Attention over a row grows with the square of its length: beyond a few responses a row
// costs more than the prompt it saves.
inline constexpr std::size_t kResponsesPerSharedPrompt = 4;

// The sequences of each row pack_shared_prompts makes, in its order (for batching rows by
// length before packing them), and a planned row's length in tokens.
PADDOCK_API std::vector<std::vector<std::size_t>> plan_shared_prompt_rows(
    const std::vector<PromptedSequence>& sequences);
PADDOCK_API std::size_t shared_prompt_row_length(const std::vector<PromptedSequence>& sequences,
                                                 const std::vector<std::size_t>& row);

PADDOCK_API SharedPromptRows pack_shared_prompts(const std::vector<PromptedSequence>& sequences,
                                                 std::int64_t pad_token_id, torch::Device device);
// The same with the rows planned by plan_shared_prompt_rows (say, sorted by length): every
// sequence in exactly one row, a row's sequences sharing its first one's prompt.
PADDOCK_API SharedPromptRows pack_planned_rows(const std::vector<PromptedSequence>& sequences,
                                               const std::vector<std::vector<std::size_t>>& rows,
                                               std::int64_t pad_token_id, torch::Device device);

// Each sequence's response log-probability under the language-model head, summed over its
// tokens: [N], sequence i's at i (0 for a sequence with no response token). The softmax runs
// only at the predicting positions, in float32.
PADDOCK_API torch::Tensor shared_prompt_logprob_sums(CausalLanguageModel& model,
                                                     const SharedPromptRows& rows);
// The response tokens of each sequence: [N] float.
PADDOCK_API torch::Tensor shared_prompt_target_counts(const SharedPromptRows& rows);

// The reward head on each sequence's last token: [N], sequence i's at i.
PADDOCK_API torch::Tensor shared_prompt_rewards(CausalLanguageModel& model,
                                                const SharedPromptRows& rows);

}  // namespace paddock
