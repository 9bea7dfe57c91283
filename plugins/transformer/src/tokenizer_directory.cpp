// Finding and reading the tokenizer files of a model directory, and writing them.
#include "paddock/transformer/tokenizer_directory.hpp"

#include <algorithm>
#include <climits>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/tokenizer_json.hpp"
#include "paddock/transformer/vocab_merges_files.hpp"

namespace paddock::transformer {
namespace {

// A JSON object file; nullopt when the file does not exist.
std::optional<nlohmann::json> read_json_object(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return std::nullopt;
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(core::read_file(file));
  } catch (const nlohmann::json::exception& error) {
    throw Error(file.string() + ": not valid JSON: " + error.what());
  }
  if (!config.is_object()) throw Error(file.string() + ": must be a JSON object");
  return config;
}

// Reads the role fields of tokenizer_config.json or special_tokens_map.json; returns false
// when the file does not exist.
bool read_roles(const std::filesystem::path& file, SpecialTokenRoles& roles) {
  const std::optional<nlohmann::json> read = read_json_object(file);
  if (!read) return false;
  const nlohmann::json& config = *read;
  const std::pair<const char*, std::string*> fields[] = {{"bos_token", &roles.bos},
                                                         {"eos_token", &roles.eos},
                                                         {"pad_token", &roles.pad},
                                                         {"unk_token", &roles.unk}};
  for (const auto& [key, target] : fields) {
    const auto found = config.find(key);
    if (found == config.end() || found->is_null()) continue;
    if (found->is_string()) {
      *target = found->get<std::string>();
    } else if (found->is_object() && found->contains("content") &&
               (*found)["content"].is_string()) {
      *target = (*found)["content"].get<std::string>();
    } else {
      throw Error(file.string() + ": " + key + ": must be a string, {\"content\": ...} or null");
    }
  }
  return true;
}

// Applies the roles of tokenizer_config.json, else special_tokens_map.json, beside
// `directory` to `tokenizer` (a BpeTokenizer or SentencePieceTokenizer).
template <class AnyTokenizer>
void apply_role_files(const std::filesystem::path& directory, AnyTokenizer& tokenizer) {
  SpecialTokenRoles roles = tokenizer.special_token_roles();
  std::filesystem::path roles_file = directory / "tokenizer_config.json";
  if (!read_roles(roles_file, roles)) {
    roles_file = directory / "special_tokens_map.json";
    if (!read_roles(roles_file, roles)) return;
  }
  try {
    tokenizer.set_special_token_roles(roles);
  } catch (const Error& error) {
    throw Error(roles_file.string() + ": " + error.what());
  }
}

nlohmann::ordered_json roles_config(const SpecialTokenRoles& roles) {
  const auto role = [](const std::string& content) {
    return content.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(content);
  };
  return {{"bos_token", role(roles.bos)},
          {"eos_token", role(roles.eos)},
          {"pad_token", role(roles.pad)},
          {"unk_token", role(roles.unk)}};
}

// A token field: a string or an AddedToken object {"content": ...}.
std::string token_content(const nlohmann::json& field, const std::string& where) {
  if (field.is_string()) return field.get<std::string>();
  if (field.is_object() && field.contains("content") && field["content"].is_string()) {
    return field["content"].get<std::string>();
  }
  throw Error(where + ": must be a string or {\"content\": ...}");
}

// object[key] as a bool; `prefix` names the object in errors ("file: " or "file: field.").
bool optional_bool(const nlohmann::json& object, const char* key, const std::string& prefix,
                   bool fallback) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return fallback;
  if (!found->is_boolean()) throw Error(prefix + key + ": must be true, false or null");
  return found->get<bool>();
}

std::int32_t token_id(const std::string& text, const std::string& where) {
  std::size_t used = 0;
  long long id = -1;
  try {
    id = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || id < 0 || id > INT32_MAX) {
    throw Error(where + ": '" + text + "' is not a token id (an integer in [0, 2^31))");
  }
  return static_cast<std::int32_t>(id);
}

// tokenizer_config.json's added_tokens_decoder, then added_tokens.json, then
// additional_special_tokens of `roles_file`, and the spacing settings.
void apply_added_token_files(const std::filesystem::path& directory,
                             SentencePieceTokenizer& tokenizer) {
  const std::filesystem::path config_file = directory / "tokenizer_config.json";
  const std::optional<nlohmann::json> config = read_json_object(config_file);
  std::map<std::int32_t, AddedToken> by_id;  // ordered by id, as Hugging Face keeps them
  std::map<std::string, std::int32_t> by_content;
  const auto add = [&](AddedToken token, const std::string& where) {
    if (by_content.count(token.content) != 0) return;  // the first source wins
    if (by_id.count(token.id) != 0) {
      throw Error(where + ": id " + std::to_string(token.id) + " is already added token '" +
                  by_id[token.id].content + "'");
    }
    by_content[token.content] = token.id;
    by_id[token.id] = std::move(token);
  };

  if (config && config->contains("added_tokens_decoder") &&
      !(*config)["added_tokens_decoder"].is_null()) {
    const std::string field = config_file.string() + ": added_tokens_decoder";
    const nlohmann::json& decoder = (*config)["added_tokens_decoder"];
    if (!decoder.is_object()) throw Error(field + ": must be an object of id -> token");
    for (const auto& [key, value] : decoder.items()) {
      const std::string where = field + "." + key;
      AddedToken token;
      token.id = token_id(key, field);
      if (!value.is_object() || !value.contains("content") || !value["content"].is_string()) {
        throw Error(where + ": must be an object with a string \"content\"");
      }
      token.content = value["content"].get<std::string>();
      token.special = optional_bool(value, "special", where + ".", false);
      token.single_word = optional_bool(value, "single_word", where + ".", false);
      token.lstrip = optional_bool(value, "lstrip", where + ".", false);
      token.rstrip = optional_bool(value, "rstrip", where + ".", false);
      token.normalized = optional_bool(value, "normalized", where + ".", !token.special);
      add(std::move(token), where);
    }
  }

  const std::filesystem::path added_file = directory / "added_tokens.json";
  if (const std::optional<nlohmann::json> added = read_json_object(added_file)) {
    for (const auto& [content, id] : added->items()) {
      const std::string where = added_file.string() + ": '" + content + "'";
      if (!id.is_number_integer()) throw Error(where + ": the id must be an integer");
      AddedToken token;
      token.content = content;
      token.id = token_id(std::to_string(id.get<std::int64_t>()), where);
      token.normalized = true;
      add(std::move(token), where);
    }
  }

  std::filesystem::path roles_file = config_file;
  std::optional<nlohmann::json> roles = config;
  if (!roles) {
    roles_file = directory / "special_tokens_map.json";
    roles = read_json_object(roles_file);
  }
  if (roles && roles->contains("additional_special_tokens") &&
      !(*roles)["additional_special_tokens"].is_null()) {
    const std::string field = roles_file.string() + ": additional_special_tokens";
    const nlohmann::json& list = (*roles)["additional_special_tokens"];
    if (!list.is_array()) throw Error(field + ": must be an array");
    for (std::size_t index = 0; index < list.size(); ++index) {
      const std::string where = field + "[" + std::to_string(index) + "]";
      const std::string content = token_content(list[index], where);
      if (const auto found = by_content.find(content); found != by_content.end()) {
        by_id[found->second].special = true;
        continue;
      }
      const auto id = tokenizer.token_to_id(content);
      if (!id) {
        throw Error(where + ": '" + content +
                    "' is neither a piece of the SentencePiece model nor an added token");
      }
      AddedToken token;
      token.content = content;
      token.id = *id;
      token.special = true;
      add(std::move(token), where);
    }
  }

  std::vector<AddedToken> tokens;
  for (auto& [id, token] : by_id) tokens.push_back(std::move(token));
  try {
    tokenizer.set_added_tokens(std::move(tokens));
  } catch (const Error& error) {
    throw Error(directory.string() + ": added tokens: " + std::string(error.what()));
  }
  if (config) {
    AddedTokenSpacing spacing;
    spacing.legacy = optional_bool(*config, "legacy", config_file.string() + ": ", true);
    spacing.add_prefix_space =
        optional_bool(*config, "add_prefix_space", config_file.string() + ": ", true);
    tokenizer.set_added_token_spacing(spacing);
  }
}

}  // namespace

// vocab.json + merges.txt list no added tokens. Hugging Face's GPT-2 tokenizer takes
// "<|endoftext|>" as its default bos, eos and unk and, like every role token, as special:
// matched whole in text (one id, not seven pieces) and saved as an added token.
constexpr const char* kGpt2EndOfText = "<|endoftext|>";

void default_vocab_merges_roles(BpeTokenizer& tokenizer) {
  if (!tokenizer.token_to_id(kGpt2EndOfText)) return;
  tokenizer.set_special_token_roles({kGpt2EndOfText, kGpt2EndOfText, "", kGpt2EndOfText});
}

void make_role_tokens_special(BpeTokenizer& tokenizer) {
  const SpecialTokenRoles roles = tokenizer.special_token_roles();
  for (const std::string& role : {roles.bos, roles.eos, roles.pad, roles.unk})
    if (!role.empty()) tokenizer.add_special_tokens({role});
}

BpeTokenizer load_tokenizer(const std::filesystem::path& path) {
  std::filesystem::path directory = path;
  bool from_vocab_and_merges = false;
  BpeTokenizer tokenizer = [&] {
    if (!std::filesystem::is_directory(path)) {
      directory = path.parent_path();
      return load_tokenizer_json(path);
    }
    if (std::filesystem::exists(path / "tokenizer.json"))
      return load_tokenizer_json(path / "tokenizer.json");
    if (std::filesystem::exists(path / "vocab.json") &&
        std::filesystem::exists(path / "merges.txt")) {
      from_vocab_and_merges = true;
      BpeTokenizer from_files = load_vocab_and_merges(path / "vocab.json", path / "merges.txt");
      default_vocab_merges_roles(from_files);
      return from_files;
    }
    throw Error(path.string() +
                ": no tokenizer.json and no vocab.json + merges.txt (a SentencePiece "
                "tokenizer.model needs the SentencePiece loader)");
  }();
  apply_role_files(directory, tokenizer);
  if (from_vocab_and_merges) make_role_tokens_special(tokenizer);
  return tokenizer;
}

void save_tokenizer(const BpeTokenizer& tokenizer, const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  save_tokenizer_json(tokenizer, directory / "tokenizer.json");
  nlohmann::ordered_json config = {{"tokenizer_class", "PreTrainedTokenizerFast"}};
  config.update(roles_config(tokenizer.special_token_roles()));
  core::write_file_atomically(directory / "tokenizer_config.json", config.dump(2) + "\n");
}

ByteFallbackBpeTokenizer load_byte_fallback_tokenizer(const std::filesystem::path& directory) {
  ByteFallbackBpeTokenizer tokenizer = ByteFallbackBpeTokenizer::load(directory / "tokenizer.json");
  apply_role_files(directory, tokenizer);
  return tokenizer;
}

void save_byte_fallback_tokenizer(const ByteFallbackBpeTokenizer& tokenizer,
                                  const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  core::write_file_atomically(directory / "tokenizer.json", tokenizer.json_text());
  nlohmann::ordered_json config = {{"tokenizer_class", "PreTrainedTokenizerFast"}};
  config.update(roles_config(tokenizer.special_token_roles()));
  core::write_file_atomically(directory / "tokenizer_config.json", config.dump(2) + "\n");
}

SentencePieceTokenizer load_sentencepiece_tokenizer(const std::filesystem::path& directory) {
  SentencePieceTokenizer tokenizer = SentencePieceTokenizer::load(directory / "tokenizer.model");
  apply_added_token_files(directory, tokenizer);  // first: a role may name an added token
  apply_role_files(directory, tokenizer);
  return tokenizer;
}

void save_sentencepiece_tokenizer(const SentencePieceTokenizer& tokenizer,
                                  const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  tokenizer.save(directory / "tokenizer.model");
  // No tokenizer_class: readers pick the class from config.json's model type.
  nlohmann::ordered_json config = roles_config(tokenizer.special_token_roles());
  const AddedTokenSpacing& spacing = tokenizer.added_token_spacing();
  config["legacy"] = spacing.legacy;
  if (!spacing.add_prefix_space) config["add_prefix_space"] = false;
  if (!tokenizer.added_tokens().empty()) {
    std::vector<const AddedToken*> tokens;
    for (const AddedToken& token : tokenizer.added_tokens()) tokens.push_back(&token);
    std::sort(tokens.begin(), tokens.end(),
              [](const AddedToken* a, const AddedToken* b) { return a->id < b->id; });
    nlohmann::ordered_json decoder = nlohmann::ordered_json::object();
    for (const AddedToken* token : tokens) {
      decoder[std::to_string(token->id)] = {
          {"content", token->content},         {"lstrip", token->lstrip},
          {"normalized", token->normalized},   {"rstrip", token->rstrip},
          {"single_word", token->single_word}, {"special", token->special}};
    }
    config["added_tokens_decoder"] = std::move(decoder);
  }
  core::write_file_atomically(directory / "tokenizer_config.json", config.dump(2) + "\n");
}

}  // namespace paddock::transformer
