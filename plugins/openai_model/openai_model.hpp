// The `openai_model` backend: a generate-only Model behind an OpenAI-compatible API (OpenAI,
// a vLLM server, `paddock serve`), so external systems can be leaderboard rows. It has
// TextGenerator and nothing else.
//
// generate(prompts, options) sends one request per prompt (n = samples_per_prompt),
// `concurrency` in flight, with the api_client's retries and backoff. Answers are kept in a
// durable JSON Lines cache keyed by everything that determines them, so a re-run or a
// resumed run pays only for what it has not received yet. A request that still fails after
// its retries fails the call (a model cannot leave holes), after the others are cached.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <nlohmann/json.hpp>

#include "paddock/api_client/http_client.hpp"
#include "paddock/api_client/jsonl_cache.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/model.hpp"

namespace paddock::openai_model {

inline constexpr const char* kBackendName = "openai_model";
inline constexpr const char* kConfigFile = "openai_model.json";

struct OpenAiModelConfig {
  std::string model;  // the API's model id
  std::string base_url = "https://api.openai.com/v1";
  std::string endpoint = "chat";               // "chat" or "completions"
  std::string api_key_env = "OPENAI_API_KEY";  // empty: no Authorization header
  std::string system_prompt;                   // chat only; empty: no system message
  std::string template_without_input = "{instruction}";
  std::string template_with_input = "{instruction}\n\n{input}";
  bool request_logprobs = false;  // ask for the sampled tokens' log-probabilities
  int concurrency = 8;
  api_client::RetryPolicy retry;
  std::filesystem::path cache_file;  // absolute
  std::uint64_t seed = 0;            // retry jitter stream

  // Everything but the key itself (only the variable's name is kept).
  nlohmann::ordered_json to_json() const;
  // `origin` names the source in errors.
  static OpenAiModelConfig from_json(const nlohmann::json& json, const std::string& origin);
};

class OpenAiModel final : public Model, public TextGenerator {
 public:
  OpenAiModel(OpenAiModelConfig config, std::shared_ptr<spdlog::logger> log);

  // Reads DIRECTORY/openai_model.json, as save() writes it.
  static std::shared_ptr<OpenAiModel> load(const std::filesystem::path& directory);

  std::string backend() const override { return kBackendName; }
  std::vector<std::string> capabilities() const override { return {"generate"}; }
  void save(const std::filesystem::path& directory) const override;

  // The template for the instruction (and input, when not empty): the user message for
  // chat, the whole prompt for completions.
  std::string format_prompt(const InstructionPrompt& prompt) const override;
  std::vector<std::vector<Generation>> generate(const std::vector<std::string>& prompts,
                                                const GenerationOptions& options) override;

  const OpenAiModelConfig& config() const { return config_; }
  // The JSON body for one prompt (exposed for tests).
  std::string request_body(const std::string& prompt, const GenerationOptions& options,
                           std::size_t prompt_index) const;
  // Totals since construction: requests sent (retries included), prompt and completion
  // tokens reported by the API, and generations served from the cache.
  nlohmann::ordered_json usage() const;

 private:
  std::string endpoint_url() const;
  const std::string& api_key();
  // The choices of a 2xx body, in index order; empty when malformed.
  std::vector<Generation> parse_choices(const std::string& body, std::int64_t expected) const;

  OpenAiModelConfig config_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<api_client::JsonlCache> cache_;
  std::once_flag key_once_;
  std::string api_key_;
  mutable std::mutex usage_mutex_;
  std::int64_t requests_ = 0, prompt_tokens_ = 0, completion_tokens_ = 0, cache_hits_ = 0;
  std::uint64_t calls_ = 0;
};

}  // namespace paddock::openai_model
