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
  return pack_planned_rows(sequences, plan_shared_prompt_rows(sequences), pad_token_id, device);
}

SharedPromptRows pack_planned_rows(const std::vector<PromptedSequence>& sequences,
                                   const std::vector<std::vector<std::size_t>>& rows,
                                   std::int64_t pad_token_id, torch::Device device) {
  if (sequences.empty()) throw Error("pack_shared_prompts: no sequences");
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    if (sequences[i].ids == nullptr || sequences[i].ids->empty())
      throw Error("pack_shared_prompts: sequence " + std::to_string(i) + " has no tokens");
  }
  // Each row's tokens and mask values, then padded to the longest.
  std::vector<std::vector<std::int64_t>> row_ids(rows.size()), row_mask(rows.size());
  std::vector<std::int64_t> last_column(sequences.size()), row_of(sequences.size());
  // Response tokens as (row, column, predicting column, sequence), made flat once the width
  // is known.
  struct Target {
    std::int64_t row, column, predicting, sequence;
  };
  std::vector<Target> targets;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    auto &ids = row_ids[r], &mask = row_mask[r];
    const auto row = static_cast<std::int64_t>(r);
    // `from`: where the copied part starts in the sequence; `before`: the column that
    // predicts the part's first token (-1: it has none).
    const auto append = [&](std::size_t i, std::int64_t from, std::int64_t number,
                            std::int64_t before) {
      const auto& source = *sequences[i].ids;
      const auto start = static_cast<std::int64_t>(ids.size());
      ids.insert(ids.end(), source.begin() + from, source.end());
      mask.insert(mask.end(), source.size() - static_cast<std::size_t>(from), number);
      last_column[i] = static_cast<std::int64_t>(ids.size()) - 1;
      row_of[i] = row;
      const std::int64_t first_target = std::max<std::int64_t>(sequences[i].prompt_length, 1);
      for (auto t = std::max(first_target, from); t < static_cast<std::int64_t>(source.size());
           ++t) {
        const std::int64_t column = start + t - from;
        targets.push_back(
            {row, column, t == from ? before : column - 1, static_cast<std::int64_t>(i)});
      }
    };
    if (rows[r].size() == 1) {
      append(rows[r].front(), 0, 1, -1);
      continue;
    }
    const PromptedSequence& owner = sequences[rows[r].front()];
    ids.assign(owner.ids->begin(), owner.ids->begin() + owner.prompt_length);
    mask.assign(ids.size(), -1);
    const auto prompt_end = static_cast<std::int64_t>(ids.size()) - 1;
    for (std::size_t k = 0; k < rows[r].size(); ++k) {
      append(rows[r][k], sequences[rows[r][k]].prompt_length, static_cast<std::int64_t>(k + 1),
             prompt_end);
    }
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
  std::vector<std::int64_t> target_at, predicting_at, target_of;
  for (const Target& target : targets) {
    target_at.push_back(target.row * width + target.column);
    predicting_at.push_back(target.row * width + target.predicting);
    target_of.push_back(target.sequence);
  }
  packed.target_positions = torch::tensor(target_at, torch::kLong).to(device);
  packed.predicting_positions = torch::tensor(predicting_at, torch::kLong).to(device);
  packed.target_sequences = torch::tensor(target_of, torch::kLong).to(device);
  return packed;
}

torch::Tensor shared_prompt_logprob_sums(CausalLanguageModel& model, const SharedPromptRows& rows) {
  const std::int64_t count = rows.last_positions.size(0);
  const auto hidden = model.hidden_states(rows.ids, rows.mask);
  const auto flat = hidden.reshape({-1, hidden.size(2)});
  const auto logits =
      model.lm_logits(flat.index_select(0, rows.predicting_positions)).to(torch::kFloat32);
  const auto next = rows.ids.reshape(-1).index_select(0, rows.target_positions);
  const auto chosen = torch::log_softmax(logits, -1).gather(-1, next.unsqueeze(-1)).squeeze(-1);
  return torch::zeros({count}, chosen.options()).index_add(0, rows.target_sequences, chosen);
}

torch::Tensor shared_prompt_target_counts(const SharedPromptRows& rows) {
  const std::int64_t count = rows.last_positions.size(0);
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(rows.ids.device());
  return torch::zeros({count}, options)
      .index_add(0, rows.target_sequences, torch::ones({rows.target_sequences.size(0)}, options));
}

torch::Tensor shared_prompt_rewards(CausalLanguageModel& model, const SharedPromptRows& rows) {
  const auto hidden = model.hidden_states(rows.ids, rows.mask);
  const auto last = hidden.reshape({-1, hidden.size(2)})
                        .index_select(0, rows.last_positions)
                        .unsqueeze(1);  // [N, 1, H]: each one token long
  return model.reward(last, torch::ones({last.size(0), 1}, rows.mask.options()));
}

}  // namespace paddock
