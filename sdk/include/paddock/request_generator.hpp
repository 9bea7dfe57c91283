// RequestGenerator: an optional capability for serving a model to many clients at once. One
// call generates for several independent requests, each with its own options, and reports
// every token as it is produced. A backend that has it also has TextGenerator; callers find
// it with model->as<RequestGenerator>() and fall back to TextGenerator without it.
// (SDK ABI 1.1; a new interface rather than new virtuals, so 1.0 plugins keep working.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "paddock/capabilities.hpp"

namespace paddock {

struct GenerationRequest {
  std::string prompt;         // the full prompt text (format_prompt already applied if wanted)
  GenerationOptions options;  // batch_size is ignored: the call decides its batching
};

// One newly generated token of one sample of one request.
struct GeneratedToken {
  std::size_t request = 0;  // index into the call's requests
  std::int64_t sample = 0;  // 0 .. samples_per_prompt - 1
  std::int64_t token_id = 0;
  float logprob = 0;  // under the model's own distribution, as Generation::token_logprobs
  // The sample's whole text so far: valid UTF-8 (an unfinished character shows as U+FFFD
  // until its last byte arrives) and cut before a stop string once one has appeared.
  std::string_view text;
  bool finished = false;
  std::string_view finish_reason;  // "stop" or "length" once finished, else empty
};

class PADDOCK_API GenerationListener {
 public:
  virtual ~GenerationListener();
  // Called on the generating thread after every decoding step, once per sample that took a
  // token in that step, the final call with finished = true. Must not throw.
  virtual void on_token(const GeneratedToken& token) = 0;
};

class PADDOCK_API RequestGenerator {
 public:
  virtual ~RequestGenerator();
  // For each request, options.samples_per_prompt generations, in order. Each request is
  // generated as if it were alone: its samples are seeded from its own options.seed (the
  // same samples TextGenerator::generate gives for that prompt alone), never from its
  // position in the call, so companions in a batch do not change a request's result.
  // `listener` may be null.
  virtual std::vector<std::vector<Generation>> generate_requests(
      const std::vector<GenerationRequest>& requests, GenerationListener* listener) = 0;
  // The bytes one token stands for (possibly part of a UTF-8 character), for per-token
  // log-probability reports.
  virtual std::string token_bytes(std::int64_t token_id) const = 0;
  // How many tokens a prompt takes (sequence prefix included), for usage reports.
  virtual std::int64_t prompt_token_count(const std::string& prompt) const = 0;
};

}  // namespace paddock
