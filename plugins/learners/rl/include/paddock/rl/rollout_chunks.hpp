// Rollout prompts sampled in chunks, each chunk one generate call with a seed of its own, so a
// prompt's samples depend on its chunk, not on how many ranks share the work or how many
// chunks run at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "paddock/capabilities.hpp"

namespace paddock::rl {

// The chunks of `prompts` (chunk c: prompts [c * chunk_size, (c + 1) * chunk_size)) named in
// `chunks`, each sampled by generator.generate with `options` and seed seed_of(c); the
// results of chunk chunks[k] are element k. With side_by_side, the chunks run as the pieces
// of run_side_by_side (the generator must allow concurrent generate calls); the samples are
// the same either way.
std::vector<std::vector<std::vector<Generation>>> sample_chunks(
    TextGenerator& generator, const std::vector<std::string>& prompts, std::size_t chunk_size,
    const std::vector<std::size_t>& chunks, const GenerationOptions& options,
    const std::function<std::uint64_t(std::size_t chunk)>& seed_of, bool side_by_side);

}  // namespace paddock::rl
