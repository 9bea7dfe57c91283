// KV-cached sampling from a Decoder: left-padded prompts, temperature (0 = greedy), top-k,
// top-p, EOS and stop strings, several samples per prompt. Every row draws from its own
// generator seeded from (seed, prompt index, sample index), so a sample does not depend on
// which other prompts share its batch. Every sampler runs one continuous batch: a row that
// finishes leaves between decoding steps and its slot goes to the next prompt's samples
// (sample_continuations for TextGenerator::generate; sample_requests and sample_continuously
// for RequestGenerator).
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
  // Ids from here on are never sampled: rows of a padded embedding (config vocab_size above
  // the tokenizer's) that no text decodes to. -1: every id may be.
  std::int64_t sampled_ids = -1;
  std::function<std::string(const std::vector<std::int64_t>&)> decode;
  // A prompt's tokens, sequence prefix included (the continuous sampler takes text).
  std::function<std::vector<std::int64_t>(const std::string&)> encode;
};

// For each prompt (token ids, non-empty), `options.samples_per_prompt` generations, at most
// `options.batch_size` rows running at once (shortest prompts first). Token
// log-probabilities are under the model's own distribution (temperature 1, no truncation),
// the quantity policy-gradient learners need.
std::vector<std::vector<Generation>> sample_continuations(
    const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
    const GenerationOptions& options, const SamplingVocabulary& vocabulary);

// Independent requests, each prompt with its own options (temperature, top-p, top-k,
// max_new_tokens, stop strings, samples, seed), all rows in one continuous batch. A request's
// rows are seeded as prompt 0 of a call of its own, so they sample exactly what
// sample_continuations gives that prompt alone. `listener` (may be null) hears every token.
// Throws paddock::Error, naming the request, when one cannot be generated.
std::vector<std::vector<Generation>> sample_requests(const Decoder& decoder,
                                                     const std::vector<GenerationRequest>& requests,
                                                     const SamplingVocabulary& vocabulary,
                                                     GenerationListener* listener);

// Continuous batching (RequestGenerator::generate_continuously): before every decoding step,
// drops the rows of cancelled requests and admits what `feed` hands over. New prompts are
// checked, then prefilled in one forward pass and merged into the running batch's key/value
// cache; rows leave the batch as soon as they finish, and leading columns that no live row
// uses are cut away, so the work per step follows the live rows.
void sample_continuously(const Decoder& decoder, RequestFeed& feed,
                         const SamplingVocabulary& vocabulary, GenerationListener* listener);

}  // namespace paddock::transformer
