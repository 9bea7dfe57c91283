// Token vocabularies for logit bias: tiktoken rank files and Hugging Face tokenizers.
#include "token_vocabulary.hpp"

#include <fstream>
#include <sstream>
#include <unordered_map>

#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include "paddock/core/files.hpp"
#include "paddock/core/json_text.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/byte_fallback_bpe.hpp"
#include "paddock/transformer/byte_level_alphabet.hpp"
#include "paddock/transformer/sentencepiece_normalizer.hpp"
#include "paddock/transformer/sentencepiece_tokenizer.hpp"
#include "paddock/transformer/sentencepiece_vocabulary.hpp"
#include "paddock/transformer/text_replace.hpp"
#include "paddock/transformer/tokenizer_directory.hpp"
#include "paddock/transformer/tokenizer_json.hpp"
#include "paddock/transformer/vocab_merges_files.hpp"
#include "tiktoken_ranks.hpp"

namespace paddock::annotators {
namespace {

std::string read_file(const std::filesystem::path& file, const char* what) {
  core::refuse_special_file(file);  // a FIFO or a device would never end
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error(file.string() + ": cannot read the " + what);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// "LINE:COL" of a byte offset, for JSON parse errors.
std::string line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

class TiktokenVocabulary final : public TokenVocabulary {
 public:
  explicit TiktokenVocabulary(const std::filesystem::path& file)
      : ranks_(TiktokenRanks::load(file)), file_(file) {}
  std::optional<std::int64_t> id_of(std::string_view text) const override {
    return ranks_.rank_of(text);
  }
  std::vector<TokenPiece> split(std::string_view text) const override {
    std::vector<TokenPiece> pieces;
    for (auto& [bytes, id] : ranks_.merge_pieces(text)) pieces.push_back({std::move(bytes), id});
    return pieces;
  }
  std::string description() const override { return "tiktoken rank file " + file_.string(); }

 private:
  TiktokenRanks ranks_;
  std::filesystem::path file_;
};

// tokenizer.json, vocab.json + merges.txt, or a model directory: a byte-level BPE tokenizer.
class BpeVocabulary final : public TokenVocabulary {
 public:
  BpeVocabulary(transformer::BpeTokenizer tokenizer, std::string description)
      : tokenizer_(std::move(tokenizer)), description_(std::move(description)) {}
  std::optional<std::int64_t> id_of(std::string_view text) const override {
    for (const auto& added : tokenizer_.added_tokens()) {
      if (added.content == text) return added.id;
    }
    const auto id = tokenizer_.token_to_id(transformer::bytes_to_byte_level(text));
    if (!id) return std::nullopt;
    return *id;
  }
  std::vector<TokenPiece> split(std::string_view text) const override {
    std::vector<TokenPiece> pieces;
    for (const std::int32_t id : tokenizer_.encode(text)) {
      pieces.push_back({tokenizer_.decode({id}), id});
    }
    return pieces;
  }
  std::string description() const override { return description_; }

 private:
  transformer::BpeTokenizer tokenizer_;
  std::string description_;
};

// SentencePiece vocabularies (tokenizer.model, or a tokenizer.json with byte_fallback), whose
// pieces spell a space as "▁" and a byte missing from the pieces as "<0xXX>".
template <class SentencePieceLike>
class SentencePieceVocabulary final : public TokenVocabulary {
 public:
  SentencePieceVocabulary(SentencePieceLike tokenizer, std::string description)
      : tokenizer_(std::move(tokenizer)), description_(std::move(description)) {}
  std::optional<std::int64_t> id_of(std::string_view text) const override {
    for (const auto& added : tokenizer_.added_tokens()) {
      if (added.content == text) return added.id;
    }
    std::string piece(text);
    transformer::replace_all(piece, " ", transformer::kSentencePieceSpace);
    if (const auto id = tokenizer_.token_to_id(piece)) return *id;
    if (text.size() == 1) {
      const auto byte = static_cast<unsigned char>(text[0]);
      if (const auto id = tokenizer_.token_to_id(transformer::sentencepiece_byte_piece(byte)))
        return *id;
    }
    return std::nullopt;
  }
  std::vector<TokenPiece> split(std::string_view text) const override {
    std::vector<TokenPiece> pieces;
    for (const std::int32_t id : tokenizer_.encode(text)) {
      pieces.push_back(
          {transformer::sentencepiece_piece_text(tokenizer_.id_to_token(id).value_or("")), id});
    }
    return pieces;
  }
  std::string description() const override { return description_; }

 private:
  SentencePieceLike tokenizer_;
  std::string description_;
};

// A vocab.json without merges.txt: lookup only.
class VocabOnly final : public TokenVocabulary {
 public:
  VocabOnly(std::unordered_map<std::string, std::int64_t> ids, const std::filesystem::path& file)
      : ids_(std::move(ids)), file_(file) {}
  std::optional<std::int64_t> id_of(std::string_view text) const override {
    const auto found = ids_.find(transformer::bytes_to_byte_level(text));
    if (found == ids_.end()) return std::nullopt;
    return found->second;
  }
  std::vector<TokenPiece> split(std::string_view) const override { return {}; }
  std::string description() const override {
    return "vocab.json " + file_.string() + " (no merges.txt beside it)";
  }

 private:
  std::unordered_map<std::string, std::int64_t> ids_;
  std::filesystem::path file_;
};

std::unordered_map<std::string, std::int64_t> read_vocab_json(const nlohmann::json& document,
                                                              const std::filesystem::path& file) {
  std::unordered_map<std::string, std::int64_t> ids;
  std::unordered_map<std::int64_t, std::string> tokens;
  for (const auto& [token, value] : document.items()) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      throw Error(file.string() + ": the id of token '" + token +
                  "' must be a non-negative integer, found " + value.dump());
    }
    const auto id = value.get<std::int64_t>();
    if (const auto [where, inserted] = tokens.emplace(id, token); !inserted) {
      throw Error(file.string() + ": id " + std::to_string(id) + " is given to both '" +
                  where->second + "' and '" + token + "'");
    }
    ids.emplace(token, id);
  }
  if (ids.empty()) throw Error(file.string() + ": the vocabulary is empty");
  return ids;
}

std::unique_ptr<TokenVocabulary> load_json_vocabulary(const std::filesystem::path& file) {
  const std::string text = read_file(file, "tokenizer file");
  nlohmann::json document;
  try {
    document = core::parse_json_text<nlohmann::json>(text);
  } catch (const nlohmann::json::parse_error& error) {
    throw Error(file.string() + ":" + line_and_column(text, error.byte > 0 ? error.byte - 1 : 0) +
                ": not valid JSON (" + error.what() + ")");
  }
  if (!document.is_object()) {
    throw Error(file.string() +
                ": expected a JSON object (a tokenizer.json, or a vocab.json of token -> id)");
  }
  if (document.contains("model") && transformer::is_byte_fallback_bpe(document)) {
    return std::make_unique<SentencePieceVocabulary<transformer::ByteFallbackBpeTokenizer>>(
        transformer::ByteFallbackBpeTokenizer::parse(text, file.string()),
        "tokenizer.json " + file.string());
  }
  if (document.contains("model")) {
    return std::make_unique<BpeVocabulary>(transformer::parse_tokenizer_json(text, file.string()),
                                           "tokenizer.json " + file.string());
  }
  const std::filesystem::path merges = file.parent_path() / "merges.txt";
  if (std::filesystem::exists(merges)) {
    return std::make_unique<BpeVocabulary>(
        transformer::load_vocab_and_merges(file, merges),
        "vocab.json " + file.string() + " with " + merges.string());
  }
  return std::make_unique<VocabOnly>(read_vocab_json(document, file), file);
}

}  // namespace

std::unique_ptr<TokenVocabulary> load_token_vocabulary(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    // The order the transformer backend reads a checkpoint's tokenizer in.
    const std::string description = "tokenizer in " + path.string();
    try {
      return std::make_unique<BpeVocabulary>(transformer::load_tokenizer(path), description);
    } catch (const Error&) {
      std::error_code missing;
      if (std::filesystem::exists(path / "tokenizer.model", missing)) {
        return std::make_unique<SentencePieceVocabulary<transformer::SentencePieceTokenizer>>(
            transformer::load_sentencepiece_tokenizer(path), description);
      }
      if (std::filesystem::exists(path / "tokenizer.json", missing)) {
        const std::string text = read_file(path / "tokenizer.json", "tokenizer file");
        if (transformer::is_byte_fallback_bpe(transformer::parse_tokenizer_json_document(
                text, (path / "tokenizer.json").string()))) {
          return std::make_unique<SentencePieceVocabulary<transformer::ByteFallbackBpeTokenizer>>(
              transformer::load_byte_fallback_tokenizer(path), description);
        }
      }
      throw;
    }
  }
  if (!std::filesystem::exists(path, error)) {
    throw Error(path.string() + ": the tokenizer file does not exist");
  }
  const std::string extension = path.extension().string();
  if (extension == ".tiktoken") return std::make_unique<TiktokenVocabulary>(path);
  if (extension == ".json") return load_json_vocabulary(path);
  if (extension == ".model") {
    return std::make_unique<SentencePieceVocabulary<transformer::SentencePieceTokenizer>>(
        transformer::SentencePieceTokenizer::load(path), "tokenizer.model " + path.string());
  }
  throw Error(path.string() +
              ": unknown tokenizer format; give a tiktoken rank file (*.tiktoken), a "
              "tokenizer.json, a vocab.json, a SentencePiece tokenizer.model, or a model "
              "directory holding one");
}

std::string quote_token(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\'' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string describe_pieces(const std::vector<TokenPiece>& pieces) {
  std::string text;
  for (const TokenPiece& piece : pieces) {
    if (!text.empty()) text += ", ";
    text += quote_token(piece.text) +
            (piece.id >= 0 ? " (" + std::to_string(piece.id) + ")" : " (no token)");
  }
  return text;
}

}  // namespace paddock::annotators
