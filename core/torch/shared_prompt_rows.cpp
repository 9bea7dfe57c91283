// Packing responses behind their shared prompt, and reading their rewards.
#include "paddock/torch/shared_prompt_rows.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <string>

#include "paddock/error.hpp"
#include "paddock/torch/causal_lm.hpp"

namespace paddock {
namespace {

bool has_prompt_and_response(const PromptedSequence& sequence) {
  return sequence.prompt_length > 0 &&
         sequence.prompt_length < static_cast<std::int64_t>(sequence.ids->size());
}

}  // namespace

std::vector<std::vector<std::size_t>> plan_shared_prompt_rows(
    const std::vector<PromptedSequence>& sequences) {
  std::vector<std::vector<std::size_t>> groups;
  std::map<std::vector<std::int64_t>, std::size_t> group_of;
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    const PromptedSequence& sequence = sequences[i];
    if (!has_prompt_and_response(sequence)) {
      groups.push_back({i});
      continue;
    }
    std::vector<std::int64_t> prompt(sequence.ids->begin(),
                                     sequence.ids->begin() + sequence.prompt_length);
    const auto [at, added] = group_of.emplace(std::move(prompt), groups.size());
    if (added) groups.emplace_back();
    groups[at->second].push_back(i);
  }
  std::vector<std::vector<std::size_t>> rows;
  for (const auto& group : groups) {
    for (std::size_t first = 0; first < group.size(); first += kResponsesPerSharedPrompt) {
      const std::size_t end = std::min(group.size(), first + kResponsesPerSharedPrompt);
      rows.emplace_back(group.begin() + static_cast<std::ptrdiff_t>(first),
                        group.begin() + static_cast<std::ptrdiff_t>(end));
    }
  }
  return rows;
}

std::size_t shared_prompt_row_length(const std::vector<PromptedSequence>& sequences,
                                     const std::vector<std::size_t>& row) {
  std::size_t length = 0;
  for (std::size_t i : row) length += sequences[i].ids->size();
  if (row.size() < 2) return length;
  const auto prompt = static_cast<std::size_t>(sequences[row.front()].prompt_length);
  return length - (row.size() - 1) * prompt;
}

SharedPromptRows pack_shared_prompts(const std::vector<PromptedSequence>& sequences,
                                     std::int64_t pad_token_id, torch::Device device) {
  if (sequences.empty()) throw Error("pack_shared_prompts: no sequences");
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    if (sequences[i].ids == nullptr || sequences[i].ids->empty())
      throw Error("pack_shared_prompts: sequence " + std::to_string(i) + " has no tokens");
  }
  const auto rows = plan_shared_prompt_rows(sequences);
  // Each row's tokens and mask values, then padded to the longest.
  std::vector<std::vector<std::int64_t>> row_ids(rows.size()), row_mask(rows.size());
  std::vector<std::int64_t> last_column(sequences.size()), row_of(sequences.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    auto &ids = row_ids[r], &mask = row_mask[r];
    const auto append = [&](std::size_t i, std::int64_t from, std::int64_t number) {
      const auto& source = *sequences[i].ids;
      ids.insert(ids.end(), source.begin() + from, source.end());
      mask.insert(mask.end(), source.size() - static_cast<std::size_t>(from), number);
      last_column[i] = static_cast<std::int64_t>(ids.size()) - 1;
      row_of[i] = static_cast<std::int64_t>(r);
    };
    if (rows[r].size() == 1) {
      append(rows[r].front(), 0, 1);
      continue;
    }
    const PromptedSequence& owner = sequences[rows[r].front()];
    ids.assign(owner.ids->begin(), owner.ids->begin() + owner.prompt_length);
    mask.assign(ids.size(), -1);
    for (std::size_t k = 0; k < rows[r].size(); ++k)
      append(rows[r][k], sequences[rows[r][k]].prompt_length, static_cast<std::int64_t>(k + 1));
  }
  std::size_t longest = 0;
  SharedPromptRows packed;
  for (const auto& ids : row_ids) {
    longest = std::max(longest, ids.size());
    packed.tokens += static_cast<std::int64_t>(ids.size());
  }
  const auto width = static_cast<std::int64_t>(longest);
  std::vector<std::int64_t> flat_ids(rows.size() * longest, pad_token_id),
      flat_mask(rows.size() * longest, 0), last(sequences.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::copy(row_ids[r].begin(), row_ids[r].end(), flat_ids.begin() + r * longest);
    std::copy(row_mask[r].begin(), row_mask[r].end(), flat_mask.begin() + r * longest);
  }
  for (std::size_t i = 0; i < sequences.size(); ++i) last[i] = row_of[i] * width + last_column[i];
  const auto rows_count = static_cast<std::int64_t>(rows.size());
  packed.ids = torch::tensor(flat_ids, torch::kLong).view({rows_count, width}).to(device);
  packed.mask = torch::tensor(flat_mask, torch::kLong).view({rows_count, width}).to(device);
  packed.last_positions = torch::tensor(last, torch::kLong).to(device);
  return packed;
}

torch::Tensor shared_prompt_rewards(CausalLanguageModel& model, const SharedPromptRows& rows) {
  const auto hidden = model.hidden_states(rows.ids, rows.mask);
  const auto last = hidden.reshape({-1, hidden.size(2)})
                        .index_select(0, rows.last_positions)
                        .unsqueeze(1);  // [N, 1, H]: each one token long
  return model.reward(last, torch::ones({last.size(0), 1}, rows.mask.options()));
}

}  // namespace paddock
