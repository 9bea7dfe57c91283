// Finding and reading the tokenizer files of a model directory, and writing them.
#include "paddock/transformer/tokenizer_directory.hpp"

#include <nlohmann/json.hpp>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/tokenizer_json.hpp"
#include "paddock/transformer/vocab_merges_files.hpp"

namespace paddock::transformer {
namespace {

// Reads the role fields of tokenizer_config.json or special_tokens_map.json; returns false
// when the file does not exist.
bool read_roles(const std::filesystem::path& file, SpecialTokenRoles& roles) {
  if (!std::filesystem::exists(file)) return false;
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(core::read_file(file));
  } catch (const nlohmann::json::exception& error) {
    throw Error(file.string() + ": not valid JSON: " + error.what());
  }
  if (!config.is_object()) throw Error(file.string() + ": must be a JSON object");
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

}  // namespace

BpeTokenizer load_tokenizer(const std::filesystem::path& path) {
  std::filesystem::path directory = path;
  BpeTokenizer tokenizer = [&] {
    if (!std::filesystem::is_directory(path)) {
      directory = path.parent_path();
      return load_tokenizer_json(path);
    }
    if (std::filesystem::exists(path / "tokenizer.json"))
      return load_tokenizer_json(path / "tokenizer.json");
    if (std::filesystem::exists(path / "vocab.json") &&
        std::filesystem::exists(path / "merges.txt")) {
      return load_vocab_and_merges(path / "vocab.json", path / "merges.txt");
    }
    throw Error(path.string() +
                ": no tokenizer.json and no vocab.json + merges.txt (a SentencePiece "
                "tokenizer.model needs the SentencePiece loader)");
  }();
  apply_role_files(directory, tokenizer);
  return tokenizer;
}

void save_tokenizer(const BpeTokenizer& tokenizer, const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  save_tokenizer_json(tokenizer, directory / "tokenizer.json");
  nlohmann::ordered_json config = {{"tokenizer_class", "PreTrainedTokenizerFast"}};
  config.update(roles_config(tokenizer.special_token_roles()));
  core::write_file_atomically(directory / "tokenizer_config.json", config.dump(2) + "\n");
}

SentencePieceTokenizer load_sentencepiece_tokenizer(const std::filesystem::path& directory) {
  SentencePieceTokenizer tokenizer = SentencePieceTokenizer::load(directory / "tokenizer.model");
  apply_role_files(directory, tokenizer);
  return tokenizer;
}

void save_sentencepiece_tokenizer(const SentencePieceTokenizer& tokenizer,
                                  const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  tokenizer.save(directory / "tokenizer.model");
  // No tokenizer_class: readers pick the class from config.json's model type.
  const nlohmann::ordered_json config = roles_config(tokenizer.special_token_roles());
  core::write_file_atomically(directory / "tokenizer_config.json", config.dump(2) + "\n");
}

}  // namespace paddock::transformer
