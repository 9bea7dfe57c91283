// A judge's logit bias: token ids given as ids (`logit_bias`), and token strings given with a
// tokenizer (`logit_bias_tokens` + `logit_bias_tokenizer`), resolved into the one table of
// id -> bias that the API receives.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "token_vocabulary.hpp"

namespace paddock::annotators {

// Tokenizers loaded once per pool, by path.
class TokenVocabularyCache {
 public:
  const TokenVocabulary& get(const std::filesystem::path& path);

 private:
  std::map<std::filesystem::path, std::unique_ptr<TokenVocabulary>> loaded_;
};

struct LogitBiasInput {
  nlohmann::json ids = nlohmann::json::object();     // "11995" = -100
  nlohmann::json tokens = nlohmann::json::object();  // " Both" = -100
  std::filesystem::path tokenizer;                   // required when `tokens` is not empty
  // Where each key of `tokens` was written ("pool.toml:12:20: judge 3"), used instead of
  // `origin` in its errors.
  std::map<std::string, std::string> token_locations;
};

// The id -> bias table (ids as decimal strings, as the API takes them). Throws paddock::Error,
// prefixed with `origin` or the token's location, for: an id key that is not digits, a bias
// outside [-100, 100], token strings without a tokenizer, a string that is not exactly one
// token (saying how it splits), and one id given twice (by id and string, or by two strings).
nlohmann::json resolve_logit_bias(const LogitBiasInput& input, const std::string& origin,
                                  TokenVocabularyCache& vocabularies);

}  // namespace paddock::annotators
