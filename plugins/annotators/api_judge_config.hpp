// The configuration of one API judge, and pool files that define several.
//
// A pool file is TOML:
//   name = "alpaca_farm_pool"      # the pool's name (optional; default: the file's stem)
//   [defaults]                      # any judge key; every judge starts from these
//   base_url = "https://api.openai.com/v1"
//   [[judge]]                       # one table per judge, keys as the api_llm parameters:
//   name = "gpt4_plain_b5"          #   name (required, unique), model (required),
//   model = "gpt-4-0314"            #   endpoint, base_url, api_key_env, temperature,
//   batch_size = 5                  #   max_tokens, batch_size, template_with_input,
//   ...                             #   template_without_input, parse_patterns,
//                                   #   logit_bias, prices
// Template paths are relative to the pool file's directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_usage.hpp"
#include "label_parser.hpp"
#include "prompt_template.hpp"

namespace paddock::annotators {

inline constexpr const char* kDefaultBaseUrl = "https://api.openai.com/v1";
inline constexpr const char* kDefaultApiKeyEnv = "OPENAI_API_KEY";

struct ApiJudgeConfig {
  std::string name;
  std::string base_url = kDefaultBaseUrl;
  std::string model;
  std::string endpoint = "chat";                // "chat" (/chat/completions) or "completions"
  std::string api_key_env = kDefaultApiKeyEnv;  // empty: no Authorization header
  double temperature = 1.0;
  std::int64_t max_tokens = 50;
  std::int64_t batch_size = 1;
  PromptTemplate template_with_input;
  PromptTemplate template_without_input;
  std::vector<std::string> parse_patterns;
  std::vector<LabelPattern> compiled_patterns;
  nlohmann::json logit_bias = nlohmann::json::object();  // token id (as text) -> bias
  TokenPrices prices;

  // Everything that determines the judge's answers, hashed (32 hex digits): base_url,
  // model, endpoint, temperature, max_tokens, batch_size, both templates' text, parse
  // patterns and logit bias. Not the key, its variable's name, or transport settings.
  std::string identity() const;
};

// A judge from a JSON object with the keys listed above; template paths are resolved
// against `base_directory`. `origin` names the source in errors ("pool.toml, judge 3").
ApiJudgeConfig judge_config_from_json(const nlohmann::json& table,
                                      const std::filesystem::path& base_directory,
                                      const std::string& origin);

struct JudgePoolFile {
  std::string name;
  std::vector<ApiJudgeConfig> judges;
};

// Reads a pool file. `overrides` (keys as in a judge table) replace the file's values for
// every judge, e.g. a base_url pointing at a local server. Throws with file:line on errors.
JudgePoolFile load_judge_pool(const std::filesystem::path& file, const nlohmann::json& overrides);

}  // namespace paddock::annotators
