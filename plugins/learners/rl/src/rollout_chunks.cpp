// sample_chunks: one generate call per chunk, in turn or side by side.
#include "paddock/rl/rollout_chunks.hpp"

#include <algorithm>

#include "paddock/torch/side_by_side.hpp"

namespace paddock::rl {

std::vector<std::vector<std::vector<Generation>>> sample_chunks(
    TextGenerator& generator, const std::vector<std::string>& prompts, std::size_t chunk_size,
    const std::vector<std::size_t>& chunks, const GenerationOptions& options,
    const std::function<std::uint64_t(std::size_t chunk)>& seed_of, bool side_by_side) {
  std::vector<std::vector<std::vector<Generation>>> results(chunks.size());
  const auto sample = [&](std::size_t k) {
    const std::size_t first = std::min(prompts.size(), chunks[k] * chunk_size);
    const std::size_t last = std::min(prompts.size(), first + chunk_size);
    GenerationOptions chunk_options = options;
    chunk_options.seed = seed_of(chunks[k]);
    results[k] = generator.generate(
        std::vector<std::string>(prompts.begin() + static_cast<std::ptrdiff_t>(first),
                                 prompts.begin() + static_cast<std::ptrdiff_t>(last)),
        chunk_options);
  };
  run_pieces(chunks.size(), sample, side_by_side);
  return results;
}

}  // namespace paddock::rl
