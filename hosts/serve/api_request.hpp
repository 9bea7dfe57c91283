// Reading OpenAI completion and chat-completion request bodies into what the server
// generates from. Every problem is an ApiError naming the field, with the status OpenAI
// uses (400 for a malformed or unsupported request).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "paddock/capabilities.hpp"

namespace paddock::serve {

enum class Endpoint { completions, chat };

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant" ("developer" is read as "system")
  std::string content;
};

// Caps on what one request may ask for (the server's command-line options).
struct RequestLimits {
  std::int64_t max_tokens = 2048;              // largest max_tokens accepted
  std::int64_t max_samples = 16;               // largest n
  std::int64_t max_prompts = 64;               // prompts in one completions request
  std::int64_t default_chat_max_tokens = 256;  // chat requests without max_tokens
};

struct ApiRequest {
  Endpoint endpoint = Endpoint::completions;
  std::string model;
  std::vector<std::string> prompts;   // completions: as sent (one or more)
  std::vector<ChatMessage> messages;  // chat: the conversation
  GenerationOptions options;          // samples_per_prompt = n; seed only when `seed` is set
  std::optional<std::uint64_t> seed;
  bool stream = false;
  bool include_usage = false;     // stream_options.include_usage
  bool logprobs = false;          // report the sampled tokens' log-probabilities
  std::int64_t top_logprobs = 0;  // and this many of the likeliest tokens at each position
  // max_tokens was not given: options.max_new_tokens is only an upper bound, and generation
  // may stop where the model's context ends (chat, as OpenAI-style servers do).
  bool max_tokens_defaulted = false;
  std::vector<std::pair<std::int64_t, float>> logit_bias;  // (token id, bias); empty: none
};

// Completions use OpenAI's default of 16 tokens when max_tokens is absent.
ApiRequest parse_completion_request(const std::string& body, const RequestLimits& limits);
ApiRequest parse_chat_request(const std::string& body, const RequestLimits& limits);

}  // namespace paddock::serve
