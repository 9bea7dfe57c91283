// Quantising and persisting Quark's data pool.
#include "paddock/quark/quark_pool.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>

#include "paddock/error.hpp"
#include "paddock/learning/checkpoint_store.hpp"

namespace paddock::quark {

std::vector<std::string> reward_token_strings(std::int64_t count) {
  std::vector<std::string> tokens;
  for (std::int64_t i = 0; i < count; ++i) tokens.push_back("<|reward_" + std::to_string(i) + "|>");
  return tokens;
}

std::vector<std::int64_t> assign_quantiles(const std::vector<double>& rewards,
                                           std::int64_t quantiles) {
  const auto count = static_cast<std::int64_t>(rewards.size());
  if (quantiles < 1) throw Error("the number of quantiles must be at least 1");
  if (count < quantiles) {
    throw Error("the pool holds " + std::to_string(count) + " samples, fewer than its " +
                std::to_string(quantiles) + " quantiles");
  }
  for (std::size_t i = 0; i < rewards.size(); ++i) {
    if (!std::isfinite(rewards[i]))
      throw Error("pool sample " + std::to_string(i) + " has a non-finite reward");
  }
  std::vector<std::size_t> order(rewards.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable: equal rewards keep their pool order, so the cut is a function of the pool alone.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rewards[a] > rewards[b]; });
  const std::int64_t chunk = count / quantiles;
  std::vector<std::int64_t> quantile_of(rewards.size());
  for (std::int64_t rank = 0; rank < count; ++rank)
    quantile_of[order[static_cast<std::size_t>(rank)]] = std::min(rank / chunk, quantiles - 1);
  return quantile_of;
}

std::vector<double> quantile_reward_means(const std::vector<double>& rewards,
                                          const std::vector<std::int64_t>& quantile_of,
                                          std::int64_t quantiles) {
  std::vector<double> sums(static_cast<std::size_t>(quantiles), 0.0);
  std::vector<std::size_t> counts(static_cast<std::size_t>(quantiles), 0);
  for (std::size_t i = 0; i < rewards.size(); ++i) {
    const auto q = static_cast<std::size_t>(quantile_of.at(i));
    sums.at(q) += rewards[i];
    ++counts[q];
  }
  for (std::size_t q = 0; q < sums.size(); ++q) {
    sums[q] = counts[q] > 0 ? sums[q] / static_cast<double>(counts[q])
                            : std::numeric_limits<double>::quiet_NaN();
  }
  return sums;
}

void save_pool(const std::vector<PoolEntry>& pool, const std::filesystem::path& file) {
  std::ostringstream lines;
  for (const PoolEntry& entry : pool) {
    lines << nlohmann::json{{"prompt", entry.prompt},
                            {"response", entry.response},
                            {"text", entry.text},
                            {"reward", entry.reward},
                            {"round", entry.round}}
                 .dump()
          << "\n";
  }
  learning::write_file_atomically(file, lines.str());
}

std::vector<PoolEntry> load_pool(const std::filesystem::path& file) {
  std::vector<PoolEntry> pool;
  std::istringstream lines(learning::read_whole_file(file));
  std::string line;
  for (std::size_t number = 1; std::getline(lines, line); ++number) {
    if (line.empty()) continue;
    try {
      const auto json = nlohmann::json::parse(line);
      PoolEntry entry;
      entry.prompt = json.at("prompt").get<std::size_t>();
      entry.response = json.at("response").get<std::vector<std::int64_t>>();
      entry.text = json.at("text").get<std::string>();
      entry.reward = json.at("reward").get<double>();
      entry.round = json.at("round").get<std::int64_t>();
      pool.push_back(std::move(entry));
    } catch (const nlohmann::json::exception& error) {
      throw Error(file.string() + ":" + std::to_string(number) +
                  ": not a Quark pool entry: " + error.what());
    }
  }
  return pool;
}

}  // namespace paddock::quark
