// Quark's data pool: every (prompt, response, reward) sampled so far, sorted by reward and
// cut into quantiles, each with its reward token. Free of LibTorch, so the quantisation is
// tested on hand-made rewards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace paddock::quark {

struct PoolEntry {
  std::size_t prompt = 0;              // index into the learner's prompt list
  std::vector<std::int64_t> response;  // sampled token ids (EOS included when it stopped)
  std::string text;                    // the response as text
  double reward = 0.0;                 // the reward model's score
  std::int64_t round = 0;              // the round (1-based) that sampled it
};

// The reward tokens of `count` quantiles: "<|reward_0|>" (the best quantile) to
// "<|reward_{count-1}|>" (the worst), AlpacaFarm's order.
std::vector<std::string> reward_token_strings(std::int64_t count);

// The quantile (0 = highest rewards) of each of `rewards`. The entries are ordered by reward,
// highest first, equal rewards in their pool order (the earlier sampled first), and cut into
// `quantiles` consecutive chunks of floor(n / quantiles) entries; the last (lowest) chunk
// also takes the n mod quantiles left over, as AlpacaFarm cut its pool. Needs n >= quantiles,
// so that no chunk is empty.
std::vector<std::int64_t> assign_quantiles(const std::vector<double>& rewards,
                                           std::int64_t quantiles);

// The mean reward of each quantile under `quantile_of` ([quantiles]; NaN for an empty one).
std::vector<double> quantile_reward_means(const std::vector<double>& rewards,
                                          const std::vector<std::int64_t>& quantile_of,
                                          std::int64_t quantiles);

// The pool as JSON Lines (one entry a line), written atomically, and read back.
void save_pool(const std::vector<PoolEntry>& pool, const std::filesystem::path& file);
std::vector<PoolEntry> load_pool(const std::filesystem::path& file);

}  // namespace paddock::quark
