// RequestGenerator: an optional capability for serving a model to many clients at once. One
// call generates for several independent requests, each with its own options, and reports
// every token as it is produced. A backend that has it also has TextGenerator; callers find
// it with model->as<RequestGenerator>() and fall back to TextGenerator without it.
//
// Two ways to call it: generate_requests takes a fixed list of requests and returns when the
// last of them is done; generate_continuously (continuous batching) polls a RequestFeed
// between decoding steps, so requests join the running batch as they arrive, finished ones
// leave it at once, and a request whose client went away is dropped.
// (SDK ABI 1.1; a new interface rather than new virtuals, so 1.0 plugins keep working.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "paddock/capabilities.hpp"

namespace paddock {

struct GenerationRequest {
  std::string prompt;         // the full prompt text (format_prompt already applied if wanted)
  GenerationOptions options;  // batch_size is ignored: the call decides its batching
  // (token id, bias) pairs added to those tokens' logits before every choice, as OpenAI's
  // logit_bias: -100 all but bans a token, 100 all but forces it. The reported
  // log-probabilities stay the model's own. An id outside the vocabulary fails the request.
  std::vector<std::pair<std::int64_t, float>> logit_bias;
  // Since ABI 2.0. How many of the likeliest tokens to report at every position, besides the
  // sampled one (0: none). A backend may refuse more than it supports (the transformer: 20).
  std::int64_t top_logprobs = 0;
  // Since ABI 2.0. When true, options.max_new_tokens is an upper bound that shrinks to the
  // positions the model has left after the prompt, as an OpenAI-style server treats a chat
  // request without max_tokens; when false, a prompt that leaves less room fails the request.
  bool fit_to_context = false;
};

// One newly generated token of one sample of one request.
struct GeneratedToken {
  // generate_requests: the index into the call's requests. generate_continuously: the
  // request's number in the call, counting every request the feed handed over, from 0.
  std::size_t request = 0;
  std::int64_t sample = 0;  // 0 .. samples_per_prompt - 1
  std::int64_t token_id = 0;
  float logprob = 0;  // under the model's own distribution, as Generation::token_logprobs
  // The sample's whole text so far: valid UTF-8 (an unfinished character shows as U+FFFD
  // until its last byte arrives) and cut before a stop string once one has appeared.
  std::string_view text;
  bool finished = false;
  std::string_view finish_reason;  // "stop" or "length" once finished, else empty
  // Since ABI 2.0. The likeliest tokens at this position, as Generation::top_logprobs.
  std::span<const TokenAlternative> top_logprobs;
};

class PADDOCK_API GenerationListener {
 public:
  virtual ~GenerationListener();
  // Called on the generating thread after every decoding step, once per sample that took a
  // token in that step, the final call with finished = true. Must not throw.
  virtual void on_token(const GeneratedToken& token) = 0;
};

// How one request of a continuous call ended.
struct RequestOutcome {
  // One per sample, in order, when every sample finished; the samples' text so far when the
  // request was cancelled; empty when it failed.
  std::vector<Generation> generations;
  // Why the request could not be generated (a prompt too long for the model, options out of
  // range), found before anything was generated for it; empty otherwise.
  std::string error;
  bool cancelled = false;  // RequestFeed::cancelled said so, and its samples were dropped
};

// Where a continuous call gets its requests. Every function is called on the generating
// thread, between decoding steps; none may block for long, since every running sample waits.
class PADDOCK_API RequestFeed {
 public:
  virtual ~RequestFeed();
  // The requests to start now, possibly none; `running_samples` samples are being generated.
  // The feed decides how many fit (all samples of a request start together). Requests are
  // numbered in the order handed over, across the whole call. When nothing is running and
  // take() returns nothing, the call ends.
  virtual std::vector<GenerationRequest> take(std::int64_t running_samples) = 0;
  // Asked between steps for every running request: true stops it, and its samples leave the
  // batch at once (its client went away, say).
  virtual bool cancelled(std::size_t request) = 0;
  // Exactly once for every request taken, when its last sample finished, it was cancelled,
  // or it could not be started.
  virtual void finished(std::size_t request, RequestOutcome outcome) = 0;
};

class PADDOCK_API RequestGenerator {
 public:
  virtual ~RequestGenerator();
  // For each request, options.samples_per_prompt generations, in order. Each request is
  // generated as if it were alone: its samples are seeded from its own options.seed (the
  // same samples TextGenerator::generate gives for that prompt alone), never from its
  // position in the call, so companions in a batch do not change a request's result.
  // `listener` may be null. Throws paddock::Error when a request cannot be generated.
  virtual std::vector<std::vector<Generation>> generate_requests(
      const std::vector<GenerationRequest>& requests, GenerationListener* listener) = 0;
  // Continuous batching: generates the requests `feed` hands over, taking new ones between
  // decoding steps, until the feed has no more and every sample finished. Each request is
  // generated as if alone, exactly as by generate_requests, whenever it joined. A request
  // that cannot be generated ends alone (RequestOutcome::error); the others go on. Throws
  // only when generation itself fails; requests then running get no finished() call.
  // `listener` may be null.
  virtual void generate_continuously(RequestFeed& feed, GenerationListener* listener) = 0;
  // The bytes one token stands for (possibly part of a UTF-8 character), for per-token
  // log-probability reports.
  virtual std::string token_bytes(std::int64_t token_id) const = 0;
  // How many tokens a prompt takes (sequence prefix included), for usage reports.
  virtual std::int64_t prompt_token_count(const std::string& prompt) const = 0;
};

}  // namespace paddock
