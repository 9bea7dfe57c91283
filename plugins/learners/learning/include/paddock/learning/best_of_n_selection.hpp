// Best-of-n: n samples per prompt from a policy, scored by a reward model, the highest kept.
#pragma once

#include <cstdint>
#include <string>

#include "paddock/capabilities.hpp"
#include "paddock/context.hpp"
#include "paddock/dataset.hpp"
#include "paddock/learning/record_fields.hpp"

namespace paddock::learning {

struct BestOfNStatistics {
  double mean_best_reward = 0.0;
  double mean_sample_reward = 0.0;
};

// One row per prompt: output_row() of the best sample (the first on ties) plus `reward`.
// options.samples_per_prompt is n; the samples are those generate_for_rows gives for `seed`,
// so n = 1 reproduces plain generation.
Dataset best_of_n(NodeContext& context, TextGenerator& policy, RewardScorer& scorer,
                  const Dataset& prompts, const RecordSource& source,
                  const GenerationOptions& options, std::uint64_t seed,
                  const std::string& generator_name, const std::string& label,
                  BestOfNStatistics* statistics = nullptr);

}  // namespace paddock::learning
