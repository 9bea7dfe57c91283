// The per-sample state of the continuous batch (continuous_sampler.cpp): one row's own
// random generator, its tokens and how it ends, and choosing the next token of every row
// under its own request's options.
// Private to the transformer backend.
#pragma once

#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "paddock/capabilities.hpp"
#include "paddock/request_generator.hpp"
#include "paddock/transformer/model_config.hpp"
#include "paddock/transformer/sampler.hpp"

namespace paddock::transformer::sampling {

struct Row {
  std::size_t request = 0;  // the prompt or request the row samples for
  std::int64_t sample = 0;
  const GenerationOptions* options = nullptr;
  const std::vector<std::pair<std::int64_t, float>>* logit_bias = nullptr;  // null: none
  std::int64_t top_logprobs = 0;  // likeliest tokens to report at each position
  std::mt19937_64 rng;
  std::vector<std::int64_t> tokens;
  std::vector<float> logprobs;
  std::vector<std::vector<TokenAlternative>> alternatives;  // per token, when top_logprobs > 0
  std::string finish_reason = "length";
  bool finished = false;
  bool stopped_by_string = false;
  std::string stopped_text;  // the text before the stop string
};

// Throws paddock::Error, its message starting with `where`, for options out of range.
void check_options(const GenerationOptions& options, const std::string& where);

// Throws paddock::Error when a prompt of `prompt_length` tokens and `max_new_tokens` more
// do not fit in the model's context (ModelConfig::context_length).
void check_fits(std::int64_t prompt_length, std::int64_t max_new_tokens, const ModelConfig& config);

// The seed of a row's own generator: derive_seed(seed, "prompt P sample S"). The same for a
// prompt alone or among others; a request of a RequestGenerator call is always prompt 0.
std::uint64_t row_seed(std::uint64_t seed, std::size_t prompt, std::int64_t sample);

// `logits` [B, V] with each row's logit_bias added (the same tensor when no row has one).
torch::Tensor apply_logit_bias(const torch::Tensor& logits, const std::vector<Row*>& rows);

// Throws paddock::Error when a bias names a token outside a vocabulary of `vocab_size`.
void check_logit_bias(const std::vector<std::pair<std::int64_t, float>>& logit_bias,
                      std::int64_t vocab_size);

// The next token of every row of `logits` [B, V], row b under rows[b]'s options, drawn from
// rows[b]'s generator, among the first `sampled_ids` ids (all when -1). Rows that share
// their sampling settings go through one computation.
std::vector<std::int64_t> choose_tokens(const torch::Tensor& logits, const std::vector<Row*>& rows,
                                        std::int64_t sampled_ids);

// The most alternatives a request may ask for at each position.
inline constexpr std::int64_t kMaxTopLogprobs = 20;

// For each row of `logprobs` [B, V] (CPU, float) whose Row asks for alternatives, its
// likeliest tokens among the first `sampled_ids` (all when -1), likeliest first; empty for
// the others.
std::vector<std::vector<TokenAlternative>> likeliest_tokens(const torch::Tensor& logprobs,
                                                            const std::vector<Row*>& rows,
                                                            std::int64_t sampled_ids);

// Appends `token` (with its alternatives, kept when the row asked for them) to the row,
// decides whether the row is finished (EOS, a stop string, its max_new_tokens) and tells
// `listener` (may be null).
void accept_token(Row& row, std::int64_t token, float logprob,
                  std::vector<TokenAlternative> alternatives, const SamplingVocabulary& vocabulary,
                  GenerationListener* listener);

// The text a row's tokens stand for: before the stop string when one stopped it, else
// everything but a final EOS.
std::string row_text(const Row& row, const SamplingVocabulary& vocabulary);

// The row as a finished Generation.
Generation to_generation(const Row& row, const SamplingVocabulary& vocabulary);

}  // namespace paddock::transformer::sampling
