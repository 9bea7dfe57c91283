// Resolving logit bias token strings to ids.
#include "logit_bias.hpp"

#include "paddock/error.hpp"

namespace paddock::annotators {
namespace {

// The bias as written (so an integer stays an integer in the request and the judge identity).
const nlohmann::json& checked_bias(const nlohmann::json& bias, const std::string& where,
                                   const std::string& key) {
  if (!bias.is_number() || bias.get<double>() < -100 || bias.get<double>() > 100) {
    throw Error(where + ": the logit bias for " + key + " must be a number in [-100, 100], not " +
                bias.dump());
  }
  return bias;
}

}  // namespace

const TokenVocabulary& TokenVocabularyCache::get(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::path key = std::filesystem::weakly_canonical(path, error);
  if (error) key = path;
  auto found = loaded_.find(key);
  if (found == loaded_.end()) found = loaded_.emplace(key, load_token_vocabulary(path)).first;
  return *found->second;
}

nlohmann::json resolve_logit_bias(const LogitBiasInput& input, const std::string& origin,
                                  TokenVocabularyCache& vocabularies) {
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& ids = input.ids.is_null() ? empty : input.ids;  // null: none given
  const nlohmann::json& tokens = input.tokens.is_null() ? empty : input.tokens;
  if (!ids.is_object()) throw Error(origin + ": logit_bias must be a table of token id = bias");
  if (!tokens.is_object()) {
    throw Error(origin + ": logit_bias_tokens must be a table of \"token text\" = bias");
  }
  nlohmann::json resolved = nlohmann::json::object();
  std::map<std::string, std::string> given_as;  // id -> how it was given, for conflicts
  for (const auto& [id, bias] : ids.items()) {
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
      throw Error(origin + ": logit_bias key '" + id +
                  "' is not a token id (digits only); give token strings in logit_bias_tokens, "
                  "with a logit_bias_tokenizer");
    }
    resolved[id] = checked_bias(bias, origin, "token " + id);
    given_as[id] = "logit_bias id " + id;
  }
  if (tokens.empty()) return resolved;
  if (input.tokenizer.empty()) {
    throw Error(origin +
                ": logit_bias_tokens needs logit_bias_tokenizer, the tokenizer file that maps "
                "the strings to the model's token ids (a *.tiktoken rank file, a tokenizer.json "
                "or a vocab.json)");
  }
  const TokenVocabulary& vocabulary = vocabularies.get(input.tokenizer);
  for (const auto& [text, bias] : tokens.items()) {
    const auto location = input.token_locations.find(text);
    const std::string where = location != input.token_locations.end() ? location->second : origin;
    const std::string name = "token " + quote_token(text);
    const nlohmann::json& value = checked_bias(bias, where, name);
    if (text.empty()) throw Error(where + ": logit_bias_tokens has an empty token string");
    const auto id = vocabulary.id_of(text);
    if (!id) {
      const std::vector<TokenPiece> pieces = vocabulary.split(text);
      throw Error(where + ": logit_bias_tokens: " + quote_token(text) + " is not one token of " +
                  vocabulary.description() +
                  (pieces.empty() ? std::string("")
                                  : "; it splits into " + std::to_string(pieces.size()) +
                                        " tokens: " + describe_pieces(pieces)) +
                  ". Bias the tokens you mean one by one (spaces count: 'Both' and ' Both' are "
                  "different tokens)");
    }
    const std::string key = std::to_string(*id);
    const std::string how = "logit_bias_tokens " + quote_token(text);
    if (const auto [previous, inserted] = given_as.emplace(key, how); !inserted) {
      throw Error(where + ": " + how + " is token " + key + ", which " + previous->second +
                  " already biases");
    }
    resolved[key] = value;
  }
  return resolved;
}

}  // namespace paddock::annotators
