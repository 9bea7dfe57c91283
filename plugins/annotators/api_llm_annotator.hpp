// The `api_llm` judge: asks an OpenAI-compatible HTTP API which of two outputs is better.
//
// annotate(pairs):
//   1. each pair is looked up in the annotation cache (key: pair and judge identity);
//   2. the misses (each distinct pair once) are grouped by whether they have an input, cut
//      into batches of batch_size, the last batch padded with a fixed dummy pair, and each
//      batch rendered with its template (with or without input);
//   3. the requests run concurrently (http_client.hpp), within the shared budget;
//   4. each answer's labels are read with the parse patterns; a label count other than
//      batch_size leaves the batch's pairs unannotated (never guessed);
//   5. the answered pairs of a request (parsed or not) are appended to the cache and
//      fsync()ed as soon as the request completes.
// The API key is read from the environment variable api_key_env when the first request is
// about to be sent; it goes only into the Authorization header and is redacted from every
// message the judge logs or throws, as is the user:password part of a base_url.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "annotation_cache.hpp"
#include "api_judge_config.hpp"
#include "api_usage.hpp"
#include "paddock/annotator.hpp"
#include "paddock/annotator_usage.hpp"
#include "paddock/api_client/api_key.hpp"
#include "paddock/api_client/http_client.hpp"

namespace paddock::annotators {

// The HTTP client and key handling are shared with other API plugins (plugins/api_client).
using api_client::backoff_seconds;
using api_client::HttpCallbacks;
using api_client::HttpOutcome;
using api_client::HttpRequest;
using api_client::HttpResult;
using api_client::redact;
using api_client::RetryPolicy;
using api_client::run_http_requests;

// What the judges of one api_llm node share: transport settings, cache, ledger, logger.
struct ApiJudgeRuntime {
  int concurrency = 8;
  RetryPolicy retry;
  bool retry_unannotated = false;  // treat cached unparsed answers as misses
  std::uint64_t seed = 0;          // jitter stream: derive_seed(seed, "api_llm/jitter/N")
  std::shared_ptr<AnnotationCache> cache;
  std::shared_ptr<UsageLedger> ledger;
  std::shared_ptr<spdlog::logger> log;  // may be null

  std::function<bool()> cancel_check;
  std::mutex cancel_mutex;
  std::atomic<std::uint64_t> calls{0};
};

// The pair that pads a short last batch; its label is parsed and discarded.
PreferencePair dummy_pair(bool with_input);

class ApiLlmAnnotator final : public Annotator, public UsageReporter, public Cancellable {
 public:
  ApiLlmAnnotator(ApiJudgeConfig config, std::shared_ptr<ApiJudgeRuntime> runtime);

  std::string name() const override { return config_.name; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;
  // The shared ledger's usage (see api_usage.hpp): every judge of the node together.
  AnnotatorUsage usage() const override;
  void set_cancel_check(std::function<bool()> check) override;

  const ApiJudgeConfig& config() const { return config_; }
  // The cache key of a pair for this judge.
  std::string cache_key(const PreferencePair& pair) const;
  // The JSON request body of one batch (exposed for tests).
  std::string request_body(std::span<const PreferencePair> batch, bool with_input) const;
  // The text of a response body's first choice, or empty when malformed.
  std::optional<std::string> completion_text(const std::string& body) const;

 private:
  std::string endpoint_url() const;
  // `text` without the key or the password of a user:password@ base_url, for messages.
  std::string without_secrets(std::string text, const std::string& key) const;
  const std::string& api_key();

  ApiJudgeConfig config_;
  std::string identity_;
  std::shared_ptr<ApiJudgeRuntime> runtime_;
  std::once_flag key_once_;
  std::string api_key_;
};

// A pool of API judges as one Annotator: members() lists them (for noisy_ensemble); on its
// own it picks one member per instruction, like the ensemble without noise or swaps.
class ApiJudgePool final : public Annotator, public UsageReporter, public Cancellable {
 public:
  ApiJudgePool(std::string name, std::vector<std::shared_ptr<ApiLlmAnnotator>> judges,
               std::shared_ptr<ApiJudgeRuntime> runtime, std::uint64_t choice_seed);

  std::string name() const override { return name_; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;
  std::vector<std::shared_ptr<Annotator>> members() const override;
  AnnotatorUsage usage() const override;
  void set_cancel_check(std::function<bool()> check) override;

 private:
  std::string name_;
  std::vector<std::shared_ptr<ApiLlmAnnotator>> judges_;
  std::shared_ptr<ApiJudgeRuntime> runtime_;
  std::uint64_t choice_seed_;
};

}  // namespace paddock::annotators
