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
//                                   #   logit_bias, logit_bias_tokens,
//                                   #   logit_bias_tokenizer, prices
// Template paths are relative to the pool file's directory; logit_bias_tokenizer paths too,
// unless the node gives a tokenizer directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_usage.hpp"
#include "label_parser.hpp"
#include "logit_bias.hpp"
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
  // token id (as text) -> bias: the ids of `logit_bias` and the resolved `logit_bias_tokens`.
  nlohmann::json logit_bias = nlohmann::json::object();
  TokenPrices prices;

  // Everything that determines the judge's answers, hashed (32 hex digits): base_url,
  // model, endpoint, temperature, max_tokens, batch_size, both templates' text, parse
  // patterns and logit bias. Not the key, its variable's name, or transport settings.
  std::string identity() const;
};

// Where a judge's settings come from, for resolving paths and naming places in errors.
struct JudgeSource {
  std::string origin;                         // "pool.toml:12:1: judge 3", or "api_llm"
  std::filesystem::path base_directory;       // template paths are relative to it
  std::filesystem::path tokenizer_directory;  // relative logit_bias_tokenizer paths; empty =
                                              // base_directory
  std::map<std::string, std::string> token_locations;  // logit_bias_tokens key -> FILE:LINE:COL
  TokenVocabularyCache* vocabularies = nullptr;        // shared by a pool; null = load afresh
};

// A judge from a JSON object with the keys listed above.
ApiJudgeConfig judge_config_from_json(const nlohmann::json& table, const JudgeSource& source);

struct JudgePoolFile {
  std::string name;
  std::vector<ApiJudgeConfig> judges;
};

// Reads a pool file. `overrides` (keys as in a judge table) replace the file's values for
// every judge, e.g. a base_url pointing at a local server; relative logit_bias_tokenizer
// paths are found in `tokenizer_directory` when it is given. Throws with file:line on errors.
JudgePoolFile load_judge_pool(const std::filesystem::path& file, const nlohmann::json& overrides,
                              const std::filesystem::path& tokenizer_directory = {});

}  // namespace paddock::annotators
