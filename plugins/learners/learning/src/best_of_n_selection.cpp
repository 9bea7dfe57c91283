// Best-of-n selection by a reward model.
#include "paddock/learning/best_of_n_selection.hpp"

#include "paddock/error.hpp"
#include "paddock/learning/generation.hpp"

namespace paddock::learning {

Dataset best_of_n(NodeContext& context, TextGenerator& policy, RewardScorer& scorer,
                  const Dataset& prompts, const RecordSource& source,
                  const GenerationOptions& options, std::uint64_t seed,
                  const std::string& generator_name, const std::string& label,
                  BestOfNStatistics* statistics) {
  const auto samples = generate_for_rows(context, policy, prompts, source, options, seed, label);
  std::vector<InstructionPrompt> scored_prompts;
  std::vector<std::string> responses;
  for (std::size_t row = 0; row < prompts.size(); ++row) {
    const InstructionPrompt prompt = instruction_prompt(prompts[row], source, row);
    for (const Generation& sample : samples[row]) {
      scored_prompts.push_back(prompt);
      responses.push_back(sample.text);
    }
  }
  context.throw_if_cancelled();
  const std::vector<double> rewards = scorer.score(scored_prompts, responses);
  if (rewards.size() != responses.size())
    throw Error("node '" + context.node_name() + "': the reward model returned " +
                std::to_string(rewards.size()) + " scores for " + std::to_string(responses.size()) +
                " responses");
  Dataset best;
  double best_total = 0.0, sample_total = 0.0;
  std::size_t offset = 0;
  for (std::size_t row = 0; row < prompts.size(); ++row) {
    std::size_t winner = 0;
    for (std::size_t s = 0; s < samples[row].size(); ++s) {
      sample_total += rewards[offset + s];
      if (rewards[offset + s] > rewards[offset + winner]) winner = s;
    }
    Record record = output_row(prompts[row], samples[row][winner], generator_name,
                               static_cast<std::int64_t>(winner));
    record["reward"] = rewards[offset + winner];
    best_total += rewards[offset + winner];
    best.add(std::move(record));
    offset += samples[row].size();
  }
  if (statistics && !prompts.empty()) {
    statistics->mean_best_reward = best_total / static_cast<double>(prompts.size());
    statistics->mean_sample_reward = sample_total / static_cast<double>(responses.size());
  }
  return best;
}

}  // namespace paddock::learning
