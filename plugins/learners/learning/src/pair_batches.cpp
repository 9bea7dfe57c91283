// Micro-batches of preference pairs: distinct sides and groups by prompt.
#include "paddock/learning/pair_batches.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace paddock::learning {

DistinctSides distinct_sides(const std::vector<SequencePair>& pairs,
                             const std::vector<std::size_t>& rows) {
  DistinctSides sides;
  std::map<std::vector<std::int64_t>, std::int64_t> index_of;
  const auto place = [&](const TokenSequence& sequence) {
    const auto [at, added] =
        index_of.emplace(sequence.ids, static_cast<std::int64_t>(sides.sequences.size()));
    if (added) sides.sequences.push_back(&sequence);
    return at->second;
  };
  for (std::size_t row : rows) sides.first.push_back(place(pairs[row].first));
  for (std::size_t row : rows) sides.second.push_back(place(pairs[row].second));
  return sides;
}

std::vector<std::vector<std::size_t>> pairs_by_prompt(const std::vector<SequencePair>& pairs) {
  std::vector<std::vector<std::size_t>> groups;
  std::map<std::size_t, std::size_t> group_of;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto [at, added] = group_of.emplace(pairs[i].prompt, groups.size());
    if (added) groups.emplace_back();
    groups[at->second].push_back(i);
  }
  return groups;
}

std::int64_t prompts_per_batch(std::int64_t pairs_per_batch, std::size_t pairs,
                               std::size_t prompts) {
  if (pairs == 0 || prompts == 0) return 1;
  const double per_prompt = static_cast<double>(pairs) / static_cast<double>(prompts);
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(pairs_per_batch) / per_prompt));
}

}  // namespace paddock::learning
