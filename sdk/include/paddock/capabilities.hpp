// Model capabilities that need no LibTorch: text generation and reward scoring. A backend
// implements the ones it has; callers find them with model->as<TextGenerator>() etc. A
// generate-only remote model (an OpenAI-compatible API) has TextGenerator and nothing else.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "paddock/export.hpp"

namespace paddock {

// An instruction and its optional input, before the model's prompt template is applied.
struct InstructionPrompt {
  std::string instruction;
  std::string input;
};

struct GenerationOptions {
  double temperature = 1.0;  // 0 = greedy
  double top_p = 1.0;
  std::int64_t top_k = 0;  // 0 = no top-k cut
  std::int64_t max_new_tokens = 128;
  std::int64_t samples_per_prompt = 1;
  std::vector<std::string> stop;  // stop strings, not included in the text
  std::uint64_t seed = 0;         // the same seed and inputs give the same samples
  std::int64_t batch_size = 16;   // prompts per forward pass
};

// One of the likeliest tokens at a position, under the model's own distribution (temperature
// 1, no truncation), as token_logprobs.
struct TokenAlternative {
  std::int64_t token_id = 0;
  float logprob = 0;
};

struct Generation {
  std::string text;  // valid UTF-8 (a cut-off character becomes U+FFFD)
  std::vector<std::int64_t> token_ids;
  std::vector<float> token_logprobs;  // log-probabilities of the sampled tokens
  std::string finish_reason;          // "stop" (EOS or stop string) or "length"
  // Since ABI 2.0. Per token, the likeliest tokens at its position, likeliest first, as many
  // as GenerationRequest::top_logprobs asked (empty when none were asked).
  std::vector<std::vector<TokenAlternative>> top_logprobs;
};

class PADDOCK_API TextGenerator {
 public:
  virtual ~TextGenerator();
  // The model's prompt template applied to an instruction (and input, when not empty).
  virtual std::string format_prompt(const InstructionPrompt& prompt) const = 0;
  // For each prompt, `samples_per_prompt` generations, in order.
  virtual std::vector<std::vector<Generation>> generate(const std::vector<std::string>& prompts,
                                                        const GenerationOptions& options) = 0;
};

class PADDOCK_API RewardScorer {
 public:
  virtual ~RewardScorer();
  // A scalar reward for each (prompt, response); higher is better.
  virtual std::vector<double> score(std::span<const InstructionPrompt> prompts,
                                    std::span<const std::string> responses) = 0;
};

}  // namespace paddock
