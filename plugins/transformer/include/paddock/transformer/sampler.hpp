// Batched, KV-cached sampling from a Decoder: left-padded prompts, temperature (0 = greedy),
// top-k, top-p, EOS and stop strings, several samples per prompt. Every row draws from its
// own generator seeded from (seed, prompt index, sample index), so a sample does not depend
// on which other prompts share its batch.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "paddock/capabilities.hpp"
#include "paddock/request_generator.hpp"
#include "paddock/transformer/decoder.hpp"

namespace paddock::transformer {

struct SamplingVocabulary {
  std::int64_t eos_token_id = -1;  // -1: never stop on a token
  std::int64_t pad_token_id = 0;
  std::function<std::string(const std::vector<std::int64_t>&)> decode;
};

// For each prompt (token ids, non-empty), `options.samples_per_prompt` generations. Token
// log-probabilities are under the model's own distribution (temperature 1, no truncation),
// the quantity policy-gradient learners need.
std::vector<std::vector<Generation>> sample_continuations(
    const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
    const GenerationOptions& options, const SamplingVocabulary& vocabulary);

// The same for independent requests, each prompt with its own options (temperature, top-p,
// top-k, max_new_tokens, stop strings, samples, seed), all rows in one batch. A request's
// rows are seeded as prompt 0 of a call of its own, so they sample exactly what
// sample_continuations gives that prompt alone. `listener` (may be null) hears every token.
std::vector<std::vector<Generation>> sample_requests(
    const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
    const std::vector<GenerationOptions>& options, const SamplingVocabulary& vocabulary,
    GenerationListener* listener);

}  // namespace paddock::transformer
