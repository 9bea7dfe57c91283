// Rollout chunks: sampled side by side on two threads, they give the samples that one
// generate call per chunk gives on one thread, whichever chunks a rank takes.
#include "paddock/rl/rollout_chunks.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <string>
#include <vector>

#include "paddock/error.hpp"
#include "paddock/port_capabilities.hpp"
#include "tiny_policy.hpp"

namespace paddock::rl {
namespace {

using Chunks = std::vector<std::vector<std::vector<Generation>>>;

std::uint64_t seed_of(std::size_t chunk) {
  return 1000 + 7 * chunk;
}

std::vector<std::string> rollout_prompts() {
  return {"one:", "two:", "cat:", "dog:", "see:", "one two:", "cat dog:"};
}

GenerationOptions sampling_options() {
  GenerationOptions options;
  options.temperature = 1.0;
  options.max_new_tokens = 12;
  options.samples_per_prompt = 2;
  options.batch_size = 4;
  return options;
}

// One generate call per chunk, in the order `chunks` names them.
Chunks one_call_per_chunk(TextGenerator& generator, const std::vector<std::size_t>& chunks,
                          std::size_t chunk_size) {
  const std::vector<std::string> prompts = rollout_prompts();
  Chunks results;
  for (std::size_t chunk : chunks) {
    GenerationOptions options = sampling_options();
    options.seed = seed_of(chunk);
    const std::size_t first = chunk * chunk_size;
    const std::size_t last = std::min(prompts.size(), first + chunk_size);
    results.push_back(generator.generate(
        std::vector<std::string>(prompts.begin() + static_cast<std::ptrdiff_t>(first),
                                 prompts.begin() + static_cast<std::ptrdiff_t>(last)),
        options));
  }
  return results;
}

void expect_same_samples(const Chunks& actual, const Chunks& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t c = 0; c < actual.size(); ++c) {
    ASSERT_EQ(actual[c].size(), expected[c].size()) << "chunk " << c;
    for (std::size_t p = 0; p < actual[c].size(); ++p) {
      ASSERT_EQ(actual[c][p].size(), expected[c][p].size());
      for (std::size_t s = 0; s < actual[c][p].size(); ++s) {
        EXPECT_EQ(actual[c][p][s].token_ids, expected[c][p][s].token_ids)
            << "chunk " << c << " prompt " << p << " sample " << s;
        EXPECT_EQ(actual[c][p][s].text, expected[c][p][s].text);
        EXPECT_EQ(actual[c][p][s].finish_reason, expected[c][p][s].finish_reason);
      }
    }
  }
}

TEST(RolloutChunks, SideBySideSamplesWhatOneCallPerChunkGives) {
  const auto policy = testing::tiny_policy();
  const auto capabilities = policy->capabilities();
  EXPECT_NE(std::find(capabilities.begin(), capabilities.end(), capability::kConcurrentGenerate),
            capabilities.end());
  const std::size_t chunk_size = 2;
  for (const std::vector<std::size_t>& chunks :
       {std::vector<std::size_t>{0, 1, 2, 3}, std::vector<std::size_t>{1, 3}}) {
    torch::set_num_threads(1);
    const Chunks expected = one_call_per_chunk(*policy, chunks, chunk_size);
    ASSERT_FALSE(expected.back().empty());
    for (const bool side_by_side : {false, true}) {
      torch::set_num_threads(2);  // side by side: two workers of one thread each
      expect_same_samples(sample_chunks(*policy, rollout_prompts(), chunk_size, chunks,
                                        sampling_options(), seed_of, side_by_side),
                          expected);
    }
  }
  torch::set_num_threads(1);
}

TEST(RolloutChunks, AChunkThatFailsFailsTheCall) {
  const auto policy = testing::tiny_policy();
  GenerationOptions options = sampling_options();
  options.max_new_tokens = 1000;  // beyond the tiny model's 64 positions
  torch::set_num_threads(2);
  EXPECT_THROW(
      sample_chunks(*policy, rollout_prompts(), 2, {0, 1}, options, seed_of, /*side_by_side=*/true),
      Error);
  torch::set_num_threads(1);
}

}  // namespace
}  // namespace paddock::rl
