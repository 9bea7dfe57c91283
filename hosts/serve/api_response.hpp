// The JSON the server answers with, in OpenAI's shapes: whole responses, streamed chunks,
// usage and per-token log-probabilities.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_request.hpp"
#include "generation_job.hpp"

namespace paddock::serve {

// What every response of one request shares.
struct ResponseContext {
  std::string id;  // "cmpl-..." or "chatcmpl-..."
  std::int64_t created = 0;
  std::string model;
  Endpoint endpoint = Endpoint::completions;
  bool logprobs = false;
  std::int64_t top_logprobs = 0;  // alternatives listed per token
  // Completions: each prompt's length in characters, where its choices' text_offset starts,
  // and the samples per prompt, to find a choice's prompt (choice / samples_per_prompt).
  std::vector<std::size_t> prompt_characters;
  std::int64_t samples_per_prompt = 1;
  // The bytes of a token, for log-probability reports; may be empty (ids shown instead).
  std::function<std::string(std::int64_t)> token_bytes;
};

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

// Choices are numbered prompt * n + sample, as OpenAI numbers them.
nlohmann::ordered_json full_response(const ResponseContext& context,
                                     const std::vector<std::vector<SampleProgress>>& results,
                                     const Usage& usage);

// One streamed chunk for choice `index`: new text (and the log-probabilities of the tokens
// `from_token` onwards); `finish_reason` empty while the choice runs. For chat, the first
// chunk of a choice also carries the assistant role.
nlohmann::ordered_json stream_chunk(const ResponseContext& context, std::size_t index,
                                    const std::string& text, const SampleProgress& sample,
                                    std::size_t from_token, bool first,
                                    const std::string& finish_reason);
// The last chunk when stream_options.include_usage is set: no choices, only usage.
nlohmann::ordered_json usage_chunk(const ResponseContext& context, const Usage& usage);

// How much of a running sample's text is safe to send: everything but a tail that could
// still turn into a stop string, or that ends in an unfinished UTF-8 character.
std::size_t stable_text_length(const std::string& text, const std::vector<std::string>& stop);

// Whether the bytes are valid UTF-8.
bool is_valid_utf8(const std::string& bytes);

// Characters (code points) in UTF-8 `text`: the bytes that start one.
std::size_t character_count(std::string_view text);

}  // namespace paddock::serve
